"""Request and response shapes of imports."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class ImportCounts(BaseModel):
    total: int = 0
    create: int = Field(0, description="Customers created (a dry run: would be created).")
    update: int = 0
    unchanged: int = 0
    skipped: int = Field(0, description="Duplicates left out (skip_duplicates).")
    errors: int = Field(0, description="Rows with at least one error.")
    duplicates: int = Field(0, description="Rows repeating another row or an existing customer.")


class ImportRowError(BaseModel):
    row: int = Field(description="The spreadsheet's row number; the header is row 1.")
    column: str
    value: Any = None
    message: str


class ImportDuplicate(BaseModel):
    row: int
    field: str
    value: str
    of_row: int | None = Field(None, description="The earlier row of the file it repeats.")
    of_code: str | None = Field(
        None, description="The existing customer's code (null: one you may not see)."
    )


class ImportMapping(BaseModel):
    sheet: str | None = None
    columns: dict[str, str] = Field({}, description="Header in the file → field.")
    unmapped: list[str] = Field([], description="Headers that feed no field (not imported).")


class RevertResult(BaseModel):
    deleted: int
    restored: int
    not_reverted: list[str] = Field(
        description="Codes of customers changed since the import, left as they are."
    )


class ImportOut(BaseModel):
    id: int
    kind: Literal["customers", "follow_ups", "orders"]
    mode: Literal["dry_run", "insert_only", "upsert", "skip_duplicates"]
    import_valid_rows: bool
    status: Literal[
        "queued", "running", "checked", "rejected", "committed", "failed", "cancelled", "reverted"
    ]
    filename: str
    total_rows: int
    done_rows: int
    counts: ImportCounts
    mapping: ImportMapping
    errors: list[ImportRowError] = Field(description="The first 100 row errors.")
    duplicates: list[ImportDuplicate] = Field(description="The first 100 duplicates.")
    detail: str | None
    report_url: str | None = Field(
        description="The full report: the original rows with an error column (.xlsx)."
    )
    revert_result: RevertResult | None
    user_id: int
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, run: Any) -> "ImportOut":
        return cls(
            id=run.id,
            kind=run.kind,
            mode=run.mode,
            import_valid_rows=run.import_valid_rows,
            status=run.status,
            filename=run.filename,
            total_rows=run.total_rows,
            done_rows=run.done_rows,
            counts=ImportCounts(**(run.counts or {})),
            mapping=ImportMapping(**(run.mapping or {})),
            errors=run.errors or [],
            duplicates=run.duplicates or [],
            detail=run.detail,
            report_url=(f"/api/v1/imports/{run.id}/report.xlsx" if run.report_key else None),
            revert_result=run.revert_result,
            user_id=run.user_id,
            created_at=run.created_at,
            finished_at=run.finished_at,
        )
