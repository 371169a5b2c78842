"""Imports of spreadsheets: templates, upload (dry run or commit), progress, the error
report, cancel and revert."""

import asyncio
import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import (
    ClockDep,
    CustomerWriterDep,
    DatabaseDep,
    PathId,
    ReadUowDep,
    SettingsDep,
    UowDep,
)
from api.import_schemas import ImportOut
from api.problems import problems
from api.sales_schemas import FollowUpCreate, OrderCreate
from api.uploads import cleanup, receive_file
from domain.errors import Forbidden, Invalid, NotFound, TooLarge, UnsupportedType
from domain.imports import service
from domain.imports.columns import COLUMNS, TEMPLATE_HIDDEN, ImportKind, Mode
from domain.imports.service import ImportBusy, NotRevertible, Options
from jobs import imports as runner
from persistence.attachment_store import AttachmentStore
from persistence.imports import files, workbook
from persistence.uow import SqlUnitOfWork

router = APIRouter(prefix="/imports", tags=["imports"])

MAX_BYTES = 50 * 1024 * 1024
# Files with more rows run in the background: the answer is 202 and GET /imports/{id}
# shows the progress.
BACKGROUND_ROWS = 5000
TEXT_FIELDS = frozenset({"kind", "mode", "simulate", "sheet", "mapping", "import_valid_rows"})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "kind", "mode"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": f".xlsx or .csv (UTF-8 or GBK), at most "
                            f"{MAX_BYTES} bytes and {files.MAX_ROWS} rows.",
                        },
                        "kind": {"type": "string", "enum": [k.value for k in ImportKind]},
                        "mode": {"type": "string", "enum": [m.value for m in Mode]},
                        "simulate": {
                            "type": "string",
                            "enum": ["insert_only", "upsert", "skip_duplicates"],
                            "description": "The mode a dry run checks for (default upsert).",
                        },
                        "sheet": {
                            "type": "string",
                            "description": "The sheet to read (default: the one "
                            "whose headers match best).",
                        },
                        "mapping": {
                            "type": "string",
                            "description": "JSON object: header → field key, or "
                            "null to leave a column out.",
                        },
                        "import_valid_rows": {
                            "type": "boolean",
                            "description": "Write the valid rows even when others have errors.",
                        },
                    },
                }
            }
        },
    }
}
EXAMPLE = {
    "zh": {
        "kind": "企业",
        "name": "上海示例科技有限公司",
        "credit_code": "91310115MA1K4LXXXX",
        "industry": "信息传输、软件和信息技术服务业",
        "size": "100-500人",
        "region": "上海市浦东新区",
        "stage": "意向",
        "source": "展会",
        "urgency": "中",
        "contact1.name": "张伟",
        "contact1.title": "采购经理",
        "contact1.mobile": "13800138000",
        "contact1.email": "zhangwei@example.com",
        "contact2.name": "李娜",
        "contact2.mobile": "13900139000",
    },
    "en": {
        "kind": "Organization",
        "name": "Shanghai Example Technology Co., Ltd.",
        "credit_code": "91310115MA1K4LXXXX",
        "industry": "I",
        "size": "100-500 employees",
        "region": "Shanghai",
        "stage": "Intent",
        "source": "Exhibition",
        "urgency": "Medium",
        "contact1.name": "Zhang Wei",
        "contact1.mobile": "13800138000",
        "contact1.email": "zhangwei@example.com",
    },
}


def _reports_dir(settings) -> Path:  # noqa: ANN001
    return Path(settings.var_dir) / "imports"


@router.get(
    "/templates/{kind}.xlsx",
    operation_id="imports:download_template",
    responses={
        200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
        **problems(Forbidden),
    },
)
async def download_template(
    kind: ImportKind, actor: CustomerWriterDep, uow: ReadUowDep, lang: Literal["zh", "en"] = "zh"
) -> Response:
    """The .xlsx template of a kind: headers (zh-CN, or en with `?lang=en`), an example row,
    a sheet explaining each column and dropdowns for every choice."""
    columns = [c for c in await service.columns_for(uow, kind) if c.key not in TEMPLATE_HIDDEN]
    data = await run_in_threadpool(
        workbook.template, columns, EXAMPLE[lang] if kind is ImportKind.CUSTOMERS else {}, lang
    )
    name = (
        {"customers": "客户导入模板", "follow_ups": "跟进记录导入模板", "orders": "订单导入模板"}[
            kind.value
        ]
        if lang == "zh"
        else f"{kind.value}-template"
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.xlsx"},
    )


def _shape(kind: str, fields: dict) -> dict:
    """A follow-up's or order's fields checked by the API's own request model."""
    models: dict[str, type[FollowUpCreate] | type[OrderCreate]] = {
        "follow_ups": FollowUpCreate,
        "orders": OrderCreate,
    }
    model = models[kind]
    try:
        return model.model_validate(fields).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise Invalid(
            [
                {"field": str(e["loc"][0]) if e["loc"] else "file", "message": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
        ) from None


def _options(fields: dict[str, str], filename: str) -> Options:
    errors = []

    def choice(name: str, enum, default=None):  # noqa: ANN001, ANN202
        raw = fields.get(name)
        if raw is None or raw == "":
            if default is None:
                errors.append({"field": name, "message": "required"})
            return default
        try:
            return enum(raw)
        except ValueError:
            errors.append(
                {"field": name, "message": "must be one of " + ", ".join(e.value for e in enum)}
            )
            return default

    kind = choice("kind", ImportKind)
    mode = choice("mode", Mode)
    simulate = choice("simulate", Mode, Mode.UPSERT)
    mapping = {}
    if fields.get("mapping"):
        try:
            mapping = json.loads(fields["mapping"])
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in mapping.items()
            ):
                raise ValueError
        except ValueError:
            errors.append({"field": "mapping", "message": "a JSON object of header → field"})
    flag = (fields.get("import_valid_rows") or "false").lower()
    if flag not in ("true", "false", "1", "0"):
        errors.append({"field": "import_valid_rows", "message": "true or false"})
    if errors:
        raise Invalid(errors)
    return Options(
        kind=kind,
        mode=mode,
        simulate=simulate,
        filename=filename or "upload",
        import_valid_rows=flag in ("true", "1"),
        sheet=fields.get("sheet") or None,
        mapping=mapping,
    )


@router.post(
    "",
    response_model=ImportOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="imports:create_import",
    openapi_extra=UPLOAD_BODY,
    responses={
        202: {"model": ImportOut, "description": "A large file: running in the background."},
        **problems(Forbidden, Invalid, TooLarge, UnsupportedType, ImportBusy),
    },
)
async def create_import(
    request: Request,
    actor: CustomerWriterDep,
    database: DatabaseDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Upload a spreadsheet (multipart: `file`, `kind`, `mode`, optional `simulate`,
    `sheet`, `mapping`, `import_valid_rows`). Every row is checked with the API's rules;
    `mode=dry_run` writes nothing and reports what would happen. Otherwise all-or-nothing:
    one bad row and the import is `rejected` with nothing written, unless
    `import_valid_rows`. Bad files (empty, not a spreadsheet, too big) are 4xx and leave
    no record. Small files answer 201 when done; large ones 202 while they run."""
    service.may_import(actor, ImportKind.CUSTOMERS)  # kinds are checked the same way
    store = AttachmentStore(_reports_dir(settings) / "uploads")
    received = await receive_file(
        request, store, field="file", limit=MAX_BYTES, text_fields=TEXT_FIELDS
    )
    try:
        options = _options(received.fields, Path(received.filename).name)
        received.upload.file.flush()
        sheets = await run_in_threadpool(
            files.read_upload, received.upload.path, options.filename, options.sheet
        )
        chosen = service.choose_sheet(
            [(n, sh.headers) for n, sh in sheets.items()],
            list(COLUMNS[options.kind]),
            options.sheet,
        )
        sheet = sheets[chosen]
        del sheets  # only the chosen sheet stays in memory while the import runs
    finally:
        await cleanup(received.upload.discard)
    async with database.session(write=False) as session:
        columns = await service.columns_for(SqlUnitOfWork(session), options.kind)
    service.map_headers(options, sheet.headers, columns)
    async with database.session(write=True) as session:
        run = await service.begin(
            SqlUnitOfWork(session), clock, actor, options, len(sheet.rows), sheet.name
        )
        run_id = run.id
    work = runner.run_import(
        database,
        clock,
        actor,
        run_id,
        options,
        sheet,
        zone=ZoneInfo(settings.timezone),
        reports_dir=_reports_dir(settings),
        shape=_shape,
    )
    background = len(sheet.rows) > BACKGROUND_ROWS
    if background:
        tasks = request.app.state.__dict__.setdefault("_import_tasks", set())
        task = asyncio.create_task(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    else:
        await work
    async with database.session(write=False) as session:
        body = ImportOut.of(await service.get_visible(SqlUnitOfWork(session), actor, run_id))
    return JSONResponse(
        jsonable_encoder(body),
        status.HTTP_202_ACCEPTED if background else status.HTTP_201_CREATED,
        headers={"Location": f"/api/v1/imports/{run_id}"},
    )


@router.get(
    "",
    response_model=list[ImportOut],
    operation_id="imports:list_imports",
    responses=problems(Forbidden),
)
async def list_imports(
    actor: CustomerWriterDep, uow: ReadUowDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[ImportOut]:
    """Your imports, newest first (admins: everyone's)."""
    runs = await uow.imports.list_for(None if actor.is_admin else actor.user_id, limit)
    return [ImportOut.of(r) for r in runs]


@router.get(
    "/{import_id}",
    response_model=ImportOut,
    operation_id="imports:get_import",
    responses=problems(NotFound, Forbidden),
)
async def get_import(import_id: PathId, actor: CustomerWriterDep, uow: ReadUowDep) -> ImportOut:
    """An import: its status, progress (`done_rows` of `total_rows`) and result."""
    return ImportOut.of(await service.get_visible(uow, actor, import_id))


@router.get(
    "/{import_id}/report.xlsx",
    operation_id="imports:download_report",
    responses={
        200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
        **problems(NotFound, Forbidden),
    },
)
async def download_report(
    import_id: PathId, actor: CustomerWriterDep, uow: ReadUowDep, settings: SettingsDep
) -> FileResponse:
    """Every row of the file with an error column first: fix the rows and upload again."""
    run = await service.get_visible(uow, actor, import_id)
    path = runner.report_path(_reports_dir(settings), run.report_key or "-")
    if not run.report_key or not path.exists():
        raise NotFound("report of import", import_id)
    stem = Path(run.filename).stem
    return FileResponse(
        path,
        media_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stem + '-errors')}.xlsx"
        },
    )


@router.post(
    "/{import_id}/cancel",
    response_model=ImportOut,
    operation_id="imports:cancel_import",
    responses=problems(NotFound, Forbidden),
)
async def cancel_import(import_id: PathId, actor: CustomerWriterDep, uow: UowDep) -> ImportOut:
    """Ask a running import to stop; it ends `cancelled` with nothing written. An import
    that has finished is left as it is."""
    run = await service.get_visible(uow, actor, import_id)
    if run.status in ("queued", "running"):
        run.cancel_requested = True
        await uow.imports.flush()
    return ImportOut.of(run)


@router.post(
    "/{import_id}/revert",
    response_model=ImportOut,
    operation_id="imports:revert_import",
    responses=problems(NotFound, Forbidden, NotRevertible),
)
async def revert_import(
    import_id: PathId, actor: CustomerWriterDep, uow: UowDep, clock: ClockDep
) -> ImportOut:
    """Undo a committed import: customers it created are deleted and those it updated get
    their previous values back, unless someone changed them since; those are listed in
    `revert_result.not_reverted` and left as they are."""
    return ImportOut.of(await service.revert(uow, clock, actor, import_id))
