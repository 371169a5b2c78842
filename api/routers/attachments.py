"""Ticket attachments: upload (streamed, size-capped, type sniffed from the bytes), list,
download."""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from api.attachment_schemas import AttachmentOut
from api.deps import ClockDep, DatabaseDep, PathId, ReadUowDep, SettingsDep, scopes
from api.problems import problems
from api.uploads import cleanup, receive_file
from domain import attachment, attachment_service
from domain.errors import Forbidden, Invalid, NotFound, TooLarge, UnsupportedType
from domain.roles import Actor, Scope
from persistence.attachment_store import AttachmentStore
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/tickets", tags=["attachments"])
TicketReader = Annotated[Actor, scopes(Scope.TICKETS_READ)]
TicketWriter = Annotated[Actor, scopes(Scope.TICKETS_WRITE)]


def get_store(settings: SettingsDep) -> AttachmentStore:
    return AttachmentStore(settings.attachments_dir)


StoreDep = Annotated[AttachmentStore, Depends(get_store)]

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "PNG, JPEG, PDF, DOCX or XLSX; at most "
                            f"{attachment.MAX_BYTES} bytes.",
                        }
                    },
                }
            }
        },
    }
}
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, with the content type detected at upload.",
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in attachment.ACCEPTED
        },
    }
}


@router.post(
    "/{ticket_id}/attachments",
    response_model=AttachmentOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="attachments:upload_attachment",
    openapi_extra=UPLOAD_BODY,
    responses=problems(NotFound, Forbidden, Invalid, TooLarge, UnsupportedType),
)
async def upload_attachment(
    ticket_id: PathId,
    request: Request,
    actor: TicketWriter,
    database: DatabaseDep,
    store: StoreDep,
    clock: ClockDep,
    response: Response,
) -> AttachmentOut:
    """Attach a file to a ticket (whoever may comment on it), as multipart field `file`.
    At most 20 MB (413 `too-large`, refused while it streams in); PNG, JPEG, PDF, DOCX or
    XLSX judged by the bytes, not the name or the sent Content-Type (415
    `unsupported-type`). The name is kept without any path; the upload goes on the timeline.
    A refused upload leaves nothing behind."""
    # Access is checked before reading the body, in a short read transaction: the write
    # transaction (SQLite's write lock) is only taken once the file is in.
    async with database.session(write=False) as session:
        await attachment_service.check_upload(SqlUnitOfWork(session), actor, ticket_id)
    received = await receive_file(request, store, field="file", limit=attachment.MAX_BYTES)
    upload, key = received.upload, None
    try:
        content_type = await run_in_threadpool(attachment.content_type_of, upload.file)
        key = await run_in_threadpool(store.keep, upload)
        async with database.session(write=True) as session:
            row = await attachment_service.add(
                SqlUnitOfWork(session),
                clock,
                actor,
                ticket_id,
                filename=received.filename,
                content_type=content_type,
                size=upload.size,
                sha256=upload.sha256,
                storage_key=key,
            )
    except BaseException:
        await cleanup(store.discard, upload, key)  # also when the commit itself failed
        raise
    response.headers["Location"] = f"/api/v1/tickets/{ticket_id}/attachments/{row.id}"
    return AttachmentOut.model_validate(row, from_attributes=True)


@router.get(
    "/{ticket_id}/attachments",
    response_model=list[AttachmentOut],
    operation_id="attachments:list_attachments",
    responses=problems(NotFound, Forbidden),
)
async def list_attachments(
    ticket_id: PathId, actor: TicketReader, uow: ReadUowDep
) -> list[AttachmentOut]:
    """The files attached to a ticket you may see, oldest first."""
    rows = await attachment_service.list_readable(uow, actor, ticket_id)
    return [AttachmentOut.model_validate(r, from_attributes=True) for r in rows]


@router.get(
    "/{ticket_id}/attachments/{attachment_id}",
    response_class=FileResponse,
    operation_id="attachments:download_attachment",
    responses={**FILE_RESPONSE, **problems(NotFound, Forbidden)},
)
async def download_attachment(
    ticket_id: PathId, attachment_id: PathId, actor: TicketReader, uow: ReadUowDep, store: StoreDep
) -> FileResponse:
    """Download an attachment of a ticket you may see, always as a download (never rendered
    inline) under its stored name."""
    row = await attachment_service.get_readable_attachment(uow, actor, ticket_id, attachment_id)
    return FileResponse(
        store.path(row.storage_key),
        media_type=row.content_type,
        headers={
            "Content-Disposition": content_disposition(row.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-cache",
        },
    )


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients, the real one as RFC 8187 `filename*`."""
    return (
        f'attachment; filename="{attachment.ascii_fallback(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
