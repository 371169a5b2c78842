"""Imports as use cases: who may import, checking a file's rows (the dry run), writing a
checked plan in one transaction, and reverting a committed import."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain import audit, validation
from domain import customer as rules
from domain.custom_field import Definition
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.imports import plan as planning
from domain.imports import records
from domain.imports.columns import COLUMNS, Column, ImportKind, Mode, custom_columns, match_headers
from domain.imports.plan import Action, Decision, Plan
from domain.imports.rows import CUSTOMER_FIELDS, CustomerDraft, RowContext, RowError, customer_draft
from domain.ports import Clock, ImportRecord, UnitOfWork
from domain.ports.imports import CreatedStager, StagedRows
from domain.roles import Actor, Role
from domain.sales import cadence_due, local_date

MAX_ERRORS_SHOWN = 100
CHECK_BATCH = 5000  # rows checked per call of the child process
STALE_AFTER = timedelta(hours=2)  # a "running" import older than this was interrupted
CODE_ZONE = ZoneInfo("Asia/Shanghai")  # as customer_service: the yyyymm of a code is China's


class Offload(Protocol):
    """Runs CPU-bound work off the event loop: in a thread, or in the import's child process
    (on another core, for a module-level function with picklable arguments)."""

    def __call__(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]: ...


class ImportBusy(Conflict):
    code = "import-running"

    def __init__(self, import_id: int) -> None:
        super().__init__(
            "You already have an import running; wait for it or cancel it.", import_id=import_id
        )


class NotRevertible(Conflict):
    code = "not-revertible"


@dataclass(frozen=True, slots=True)
class Options:
    kind: ImportKind
    mode: Mode
    filename: str
    simulate: Mode = Mode.UPSERT  # what a dry run checks for
    import_valid_rows: bool = False  # default all-or-nothing
    sheet: str | None = None
    mapping: Mapping[str, str | None] = field(default_factory=dict)  # header → field | None

    @property
    def effective_mode(self) -> Mode:
        return self.simulate if self.mode is Mode.DRY_RUN else self.mode


@dataclass(slots=True)
class Checked:
    """A file checked against the database: what each row would do."""

    plan: Plan
    mapping: dict[str, str]  # header → field
    unmapped: list[str]
    total: int


def may_import(actor: Actor, kind: ImportKind) -> None:
    """Admins import anything; account managers import customers (their own) and the
    follow-ups and orders of their customers."""
    if not (actor.is_admin or actor.role is Role.ACCOUNT_MANAGER):
        raise Forbidden("Only admins and account managers import.")


async def begin(
    uow: UnitOfWork, clock: Clock, actor: Actor, options: Options, total: int, sheet: str | None
) -> ImportRecord:
    """The import's record; a second import of the same user while one runs is a 409."""
    may_import(actor, options.kind)
    running = await uow.imports.active_for(actor.person_id)
    if running is not None and clock.now() - running.created_at > STALE_AFTER:
        # Its server stopped while it ran (imports run in the server's process).
        running.status, running.detail = "failed", "interrupted: the server stopped"
        running.finished_at = clock.now()
        await uow.imports.flush()
    elif running is not None:
        raise ImportBusy(running.id)
    return await uow.imports.add(
        user_id=actor.person_id,
        kind=options.kind.value,
        mode=options.mode.value,
        import_valid_rows=options.import_valid_rows,
        filename=options.filename[:255],
        sheet=sheet,
        status="running",
        total_rows=total,
        done_rows=0,
        counts={},
        mapping={},
        errors=[],
        duplicates=[],
        undo={},
        cancel_requested=False,
        created_at=clock.now(),
    )


async def columns_for(uow: UnitOfWork, kind: ImportKind) -> list[Column]:
    columns = list(COLUMNS[kind])
    if kind is ImportKind.CUSTOMERS:
        columns += custom_columns({d.key: d for d in await uow.custom_fields.list_all()})
    return columns


def choose_sheet(
    sheets: Sequence[tuple[str, Sequence[str]]], columns: Sequence[Column], requested: str | None
) -> str:
    """The sheet named, else the one whose headers map to most fields (a template's
    explanation sheet never wins over its data sheet, whatever the order)."""
    names = [name for name, _ in sheets]
    if requested is not None:
        if requested not in names:
            raise Invalid(
                [
                    {
                        "field": "sheet",
                        "message": f"no sheet {requested}; the file has {', '.join(names)}",
                    }
                ]
            )
        return requested
    scored = [
        (len(match_headers(headers, columns)[0]), -i, name)
        for i, (name, headers) in enumerate(sheets)
    ]
    return max(scored)[2]


def map_headers(
    options: Options, headers: Sequence[str], columns: Sequence[Column]
) -> tuple[dict[int, str], list[str]]:
    """The file's columns → fields; a file none of whose columns names the customer is
    refused before anything is recorded."""
    if options.kind is not ImportKind.CUSTOMERS:
        return records.map_headers(options.kind, headers, options.mapping)
    index_to_key, unmapped = match_headers(headers, columns, options.mapping)
    if not {"name", "code", "credit_code", "id_number"} & set(index_to_key.values()):
        raise Invalid(
            [
                {
                    "field": "file",
                    "message": "no column maps to the customer name; "
                    "use the template's headers or map one",
                }
            ]
        )
    return index_to_key, unmapped


async def check(
    uow: UnitOfWork,
    actor: Actor,
    options: Options,
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    offload: Offload,
    in_child: Offload,
    progress: Callable[[int], Awaitable[None]] | None = None,
    writer: "Writer | None" = None,
) -> Checked:
    """Map the headers, check every row with the API's rules, find duplicates and decide
    what each row does under the mode, in batches. The writer, if any, takes each batch's
    creates as soon as they are decided (unless all-or-nothing has met an error); without
    one, a commit's creates are kept in the plan."""
    columns = await columns_for(uow, options.kind)
    by_key = {c.key: c for c in columns}
    index_to_key, unmapped = map_headers(options, headers, columns)
    field_headers = {key: headers[i] for i, key in index_to_key.items()}
    definitions: dict[str, Definition] = await uow.custom_fields.definitions()
    owner_at = [i for i, key in index_to_key.items() if key == "owner"]
    owners = {
        row[i]
        for _, row in (rows if owner_at else ())
        for i in owner_at
        if i < len(row) and row[i] is not None
    }
    ctx = RowContext(
        actor=actor,
        columns=by_key,
        headers=field_headers,
        definitions=definitions,
        tags=await uow.imports.tags_by_name(),
        users=await uow.imports.users_by_username([str(o).strip() for o in owners]),
    )
    planner = planning.Planner(
        actor,
        options.effective_mode,
        field_headers,
        definitions,
        keep_creates=writer is None and options.mode is not Mode.DRY_RUN,
    )

    def checking(start: int) -> "asyncio.Future[Any]":
        batch = rows[start : start + CHECK_BATCH]
        return asyncio.ensure_future(in_child(_drafts, batch, index_to_key, ctx))

    # One batch ahead: the child checks the next batch while the database looks up this one's
    # keys and the writer writes the previous batch's creates.
    ahead = checking(0) if rows else None
    try:
        for start in range(0, len(rows), CHECK_BATCH):
            assert ahead is not None
            drafts, keys, names = await ahead
            following = start + CHECK_BATCH
            ahead = checking(following) if following < len(rows) else None
            index = await uow.imports.lookup(keys, names)
            decisions = await offload(planner.decide, drafts, index)
            if writer is not None and not rejected(options, planner.plan):
                await writer.take([d for d in decisions if d.action is Action.CREATE])
            if progress is not None:
                await progress(min(following, len(rows)))
    finally:
        if ahead is not None:
            ahead.cancel()  # a cancelled import: the batch being checked is dropped
    mapping = {headers[i]: key for i, key in index_to_key.items()}
    return Checked(planner.plan, mapping, unmapped, len(rows))


def _drafts(
    rows: Sequence[tuple[int, Sequence[Any]]], index_to_key: Mapping[int, str], ctx: RowContext
) -> tuple[list[CustomerDraft], set[planning.MatchKey], set[str]]:
    """The rows checked, with the keys and names to look them up by. Runs in the import's
    child process."""
    drafts, keys, names = [], set(), set()
    for number, cells in rows:
        raw = {
            key: cells[i]
            for i, key in index_to_key.items()
            if i < len(cells) and cells[i] is not None
        }
        draft = customer_draft(number, raw, ctx)
        drafts.append(draft)
        keys.update(planning.keys_of(draft))
        if draft.values.get("name"):
            names.add(draft.values["name"])
    return drafts, keys, names


def counts(checked: Checked) -> dict[str, int]:
    plan = checked.plan
    return {
        "total": checked.total,
        "create": plan.count(Action.CREATE),
        "update": plan.count(Action.UPDATE),
        "unchanged": plan.count(Action.UNCHANGED),
        "skipped": plan.count(Action.SKIP),
        "errors": plan.count(Action.ERROR),
        "duplicates": len({d.row for d in plan.duplicates}),
    }


def error_dicts(errors: Sequence[RowError], limit: int = MAX_ERRORS_SHOWN) -> list[dict]:
    return [
        {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in errors[:limit]
    ]


def duplicate_dicts(checked: Checked, limit: int = MAX_ERRORS_SHOWN) -> list[dict]:
    return [
        {"row": d.row, "field": d.field, "value": d.value, "of_row": d.of_row, "of_code": d.of_code}
        for d in checked.plan.duplicates[:limit]
    ]


def rejected(options: Options, plan: Plan) -> bool:
    """All-or-nothing: one bad row and nothing is written, unless the user chose to import
    the valid rows."""
    return bool(plan.count(Action.ERROR)) and not options.import_valid_rows


@dataclass(frozen=True, slots=True)
class _Creating:
    """What every created customer of an import shares."""

    actor: Actor
    local: datetime  # now in China: the yyyymm of the codes
    now: datetime
    today: date
    cadence: Mapping[str, int]
    tags: Mapping[str, int]
    source: dict[str, Any]


class Writer:
    """Writes a checked import in one transaction (`uow`): the creates batch by batch as the
    check decides them (take), then the updates field by field, one audit entry per customer
    ("imported by … from file …") and one for the import (finish). A batch's rows are made
    ready (CPU) in a child process, then written while the caller looks up and decides the
    next batches on its own connection."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        actor: Actor,
        run: ImportRecord,
        zone: ZoneInfo,
        in_child: Offload,
    ) -> None:
        self._uow, self._actor, self._run, self._in_child = uow, actor, run, in_child
        self._now, self._zone = clock.now(), zone
        self._creating: _Creating | None = None  # worked out for the first batch
        self._staging: asyncio.Future[list[StagedRows]] | None = None  # the last batch's rows
        self._writing: asyncio.Future[None] | None = None  # the batch before it, being written
        self._created: list[int] = []

    async def take(self, creates: Sequence[Decision]) -> None:
        """Reserve codes and ids for a batch of creates and have the child make its rows
        ready; the previous batch is written meanwhile, while the caller goes on checking."""
        if not creates:
            return
        await self._written()  # the session does one thing at a time
        uow, ctx = self._uow, await self._context()
        drafts = [d.draft for d in creates]
        first = await uow.imports.reserve_codes(f"C{ctx.local:%Y%m}", len(drafts))
        if first + len(drafts) - 1 > 999_999:
            raise Invalid([{"field": "file", "message": "too many customers this month"}])
        ids = await uow.imports.reserve_ids("customer", len(drafts))
        contact_ids = await uow.imports.reserve_ids("contact", sum(len(d.contacts) for d in drafts))
        stager = uow.imports.created_stager()
        staging = asyncio.ensure_future(
            self._in_child(stage_slice, stager, ctx, drafts, ids, first, contact_ids)
        )
        self._created += ids
        previous, self._staging = self._staging, staging
        if previous is not None:
            self._writing = asyncio.ensure_future(self._write(previous))

    async def _context(self) -> _Creating:
        if self._creating is None:
            uow, now = self._uow, self._now
            cadence = {r.stage: r.interval_days for r in await uow.follow_ups.cadence_rules()}
            self._creating = _Creating(
                self._actor,
                now.astimezone(CODE_ZONE),
                now,
                local_date(now, self._zone),
                cadence,
                await uow.imports.tags_by_name(),
                {"import_id": self._run.id, "file": self._run.filename},
            )
        return self._creating

    async def _write(self, staging: "asyncio.Future[list[StagedRows]]") -> None:
        await self._uow.imports.write_created(await staging)

    async def _written(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await writing

    async def settle(self) -> None:
        """Wait for the write in flight, if any, whatever its outcome: an import that ends
        early (cancelled, refused, failed) must not end its transaction under it."""
        with contextlib.suppress(Exception):
            await self._written()

    async def finish(self, checked: Checked) -> dict[str, Any]:
        """The creates still to write (all of them when the check kept them), the updates and
        the audit entries. Returns what a revert needs."""
        creates = checked.plan.creates
        for start in range(0, len(creates), CHECK_BATCH):
            await self.take(creates[start : start + CHECK_BATCH])
        await self._written()
        if self._staging is not None:
            staging, self._staging = self._staging, None
            await self._write(staging)
        return await self._updates(checked)

    async def _updates(self, checked: Checked) -> dict[str, Any]:
        uow, actor, run, now = self._uow, self._actor, self._run, self._now
        ctx = await self._context()
        source, tags, today, cadence = ctx.source, ctx.tags, ctx.today, ctx.cadence
        updates = checked.plan.updates
        audit_rows: list[dict[str, Any]] = []
        undo: dict[str, Any] = {"created": {str(i): 1 for i in self._created}, "updated": {}}
        olds = await uow.imports.existing([d.customer_id for d in updates if d.customer_id])
        for d in updates:
            existing = d.customer_id
            assert existing is not None  # an update names its customer
            old = olds[existing]
            changes = dict(d.changes)
            if "stage" in changes:
                changes["next_follow_up_on"] = cadence_due(today, cadence.get(changes["stage"]))
            version = (
                await uow.imports.update_customer(existing, {**changes, "updated_at": now})
                if changes or d.added_tags
                else None
            )
            entry: dict[str, Any] = {
                "fields": {
                    k: audit.jsonable(old.values.get(k)) if k in old.values else None
                    for k in d.changes
                },
                "owner_id": old.owner_id,
                "contacts": {},
                "new_contacts": [],
                "tags": [],
            }
            diff = audit.diff(
                {k: old.values.get(k) if k != "owner_id" else old.owner_id for k in d.changes},
                d.changes,
            )
            if d.added_tags:
                await uow.imports.insert_customer_tags(
                    [{"customer_id": existing, "tag_id": tags[t]} for t in d.added_tags]
                )
                entry["tags"] = [tags[t] for t in d.added_tags]
                diff["tags"] = [sorted(old.tag_names), sorted(old.tag_names | set(d.added_tags))]
            for contact_id, contact_changes in d.changed_contacts:
                previous = next(c for c in old.contacts if c["id"] == contact_id)
                entry["contacts"][str(contact_id)] = {k: previous.get(k) for k in contact_changes}
                await uow.imports.update_contact(contact_id, {**contact_changes, "updated_at": now})
                diff[f"contact:{previous['name']}"] = [
                    {k: previous.get(k) for k in contact_changes},
                    contact_changes,
                ]
            if d.new_contacts:
                entry["new_contacts"] = await uow.imports.insert_contacts(
                    [
                        {
                            **{k: None for k in ("title", "mobile", "phone", "email", "wechat")},
                            **c,
                            "customer_id": existing,
                            "is_primary": not old.contacts and i == 0,
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for i, c in enumerate(d.new_contacts)
                    ]
                )
                diff["contacts"] = [None, [c["name"] for c in d.new_contacts]]
            if version is None:
                version = (await uow.imports.versions([existing]))[existing]
            entry["version"] = version
            diff["import"] = [None, source]
            audit_rows.append(_audit(actor, existing, "import_update", diff, now))
            undo["updated"][str(existing)] = entry

        await uow.imports.insert_audit(audit_rows)
        await uow.imports.flush()
        undo["audit_after"] = await uow.imports.audit_high_water()
        changes = {
            "file": [None, run.filename],
            "mode": [None, run.mode],
            **{k: [None, v] for k, v in counts(checked).items()},
        }
        audit.record(uow, actor, "import", run.id, "import", changes, at=now)
        return undo


def stage_slice(
    stager: CreatedStager,
    ctx: _Creating,
    drafts: Sequence[CustomerDraft],
    ids: Sequence[int],
    first: int,
    contact_ids: Sequence[int],
) -> list[StagedRows]:
    """A slice of created customers' rows made ready for writing by the repository's stager.
    Pure and picklable: it runs in the import's child process."""
    return stager(*_created_rows(ctx, drafts, ids, first, iter(contact_ids)))


def _created_rows(
    ctx: _Creating,
    drafts: Sequence[CustomerDraft],
    ids: Sequence[int],
    first: int,
    contact_ids: Iterator[int],
) -> tuple[list, list, list, list]:
    """The customer, contact, tag and audit rows of a slice of created customers (ids
    reserved). Pure: no I/O."""
    now, actor = ctx.now, ctx.actor
    records, contacts, links, audit_rows = [], [], [], []
    for n, (customer_id, d) in enumerate(zip(ids, drafts, strict=True)):
        values = dict(d.values)
        stage = values.setdefault("stage", rules.Stage.POTENTIAL.value)
        record = {
            **{k: None for k in CUSTOMER_FIELDS},
            **values,
            "id": customer_id,
            "code": validation.format_customer_code(ctx.local.year, ctx.local.month, first + n),
            "kind": d.kind,
            "owner_id": d.owner_id or actor.user_id,
            "custom_fields": d.custom,
            "grade_locked": values.get("grade_locked", False),
            "activity_status": rules.ActivityStatus.ACTIVE.value,
            "archived": False,
            "cumulative_amount": 0,
            "created_at": now,
            "updated_at": now,
            "owner_engaged_at": now,
            "owned_since": now,
            "version": 1,
            "next_follow_up_on": cadence_due(ctx.today, ctx.cadence.get(stage)),
        }
        records.append(record)
        for i, c in enumerate(d.contacts):
            contacts.append(
                {
                    **{k: None for k in ("title", "mobile", "phone", "email", "wechat")},
                    **c,
                    "id": next(contact_ids),
                    "customer_id": customer_id,
                    "is_primary": i == 0,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        links += [
            {"customer_id": customer_id, "tag_id": ctx.tags[t]} for t in dict.fromkeys(d.tag_names)
        ]
        changes = audit.created(
            {
                k: record.get(k)
                for k in ("code", "kind", *CUSTOMER_FIELDS, "owner_id", "custom_fields")
            }
        )
        if d.tag_names:
            changes["tags"] = [None, sorted(set(d.tag_names))]
        if d.contacts:
            changes["contacts"] = [None, [c["name"] for c in d.contacts]]
        changes["import"] = [None, ctx.source]
        audit_rows.append(_audit(actor, customer_id, "import", changes, now))
    return records, contacts, links, audit_rows


def _audit(
    actor: Actor, customer_id: int, action: str, changes: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "actor_id": actor.user_id,
        "entity_type": "customer",
        "entity_id": customer_id,
        "customer_id": customer_id,
        "action": action,
        "changes": changes,
        "at": at,
    }


async def get_visible(uow: UnitOfWork, actor: Actor, import_id: int) -> ImportRecord:
    """An import is its importer's; admins see all. Others: 404."""
    run = await uow.imports.get(import_id)
    if run is None or not (actor.is_admin or run.user_id == actor.user_id):
        raise NotFound("import", import_id)
    return run


async def revert(uow: UnitOfWork, clock: Clock, actor: Actor, import_id: int) -> Any:
    """Undo a committed import: delete the customers it created that nobody changed since,
    put back the previous values of those it updated (same condition), and report the rest."""
    run = await get_visible(uow, actor, import_id)
    if run.kind != ImportKind.CUSTOMERS.value:
        raise NotRevertible(
            "Only customer imports are reverted; change or delete imported "
            "follow-ups and orders one by one."
        )
    if run.status != "committed":
        raise NotRevertible(f"Only a committed import can be reverted; this one is {run.status}.")
    may_import(actor, ImportKind(run.kind))
    undo = run.undo or {}
    after = int(undo.get("audit_after", 0))
    created = {int(k): v for k, v in (undo.get("created") or {}).items()}
    updated = {int(k): v for k, v in (undo.get("updated") or {}).items()}
    ids = sorted(created.keys() | updated.keys())
    versions = await uow.imports.versions(ids)
    touched = await uow.imports.touched_after(ids, after)
    now = clock.now()
    kept: list[int] = []
    deleted: list[int] = []
    restored: list[int] = []
    for customer_id, version in created.items():
        if customer_id not in versions:
            continue  # already deleted by someone
        if versions[customer_id] != version or customer_id in touched:
            kept.append(customer_id)
        else:
            deleted.append(customer_id)
    existing = await uow.imports.existing(deleted)
    await uow.imports.delete_customers(deleted)
    audit_rows = [
        _audit(
            actor,
            i,
            "import_revert",
            {"code": [existing[i].code, None], "import": [None, {"import_id": run.id}]},
            now,
        )
        for i in deleted
    ]
    for customer_id, entry in updated.items():
        if customer_id not in versions:
            continue
        if versions[customer_id] != entry["version"] or customer_id in touched:
            kept.append(customer_id)
            continue
        fields = dict(entry["fields"])
        if "owner_id" in fields:
            fields["owner_id"] = entry["owner_id"]
        if fields.get("birthday"):  # kept as JSON text
            fields["birthday"] = date.fromisoformat(fields["birthday"])
        if fields:
            await uow.imports.update_customer(customer_id, {**fields, "updated_at": now})
        for contact_id, values in entry["contacts"].items():
            await uow.imports.update_contact(int(contact_id), {**values, "updated_at": now})
        await uow.imports.delete_contacts(entry["new_contacts"])
        await uow.imports.delete_customer_tags([(customer_id, t) for t in entry["tags"]])
        audit_rows.append(
            _audit(
                actor,
                customer_id,
                "import_revert",
                {k: [None, audit.jsonable(v)] for k, v in fields.items()}
                | {"import": [None, {"import_id": run.id}]},
                now,
            )
        )
        restored.append(customer_id)
    await uow.imports.insert_audit(audit_rows)
    codes = await uow.imports.existing(kept)
    run.status = "reverted"
    run.revert_result = {
        "deleted": len(deleted),
        "restored": len(restored),
        "not_reverted": [codes[i].code for i in sorted(kept) if i in codes],
    }
    changes = {k: [None, v] for k, v in run.revert_result.items()}
    audit.record(uow, actor, "import", run.id, "revert", changes, at=now)
    await uow.imports.flush()
    return run
