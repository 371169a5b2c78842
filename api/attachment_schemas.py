"""Response bodies for ticket attachments (uploads are multipart, see api/uploads.py)."""

from datetime import datetime

from pydantic import BaseModel, Field


class AttachmentOut(BaseModel):
    id: int
    ticket_id: int
    filename: str = Field(
        description="The uploaded name without any path, control characters or leading dots."
    )
    content_type: str = Field(description="Detected from the file's bytes at upload.")
    size: int = Field(description="Bytes.")
    sha256: str
    uploaded_by: int | None
    created_at: datetime
