"""Follow-ups and orders of existing customers from a spreadsheet. Each row goes through the
same use case as the API (follow_up_service.create, order_service.create) inside its own
savepoint, after the API's own shape check, so every rule, derived field and audit entry is
the API's; the caller commits or rolls back the whole transaction (dry run, all-or-nothing)."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from domain import follow_up_service, order_service
from domain.errors import DomainError, Invalid
from domain.imports.columns import COLUMNS, ImportKind, match_headers
from domain.imports.plan import Action, Decision, Plan
from domain.imports.rows import CustomerDraft, RowContext, RowError, read_cells
from domain.ports import Clock, FollowUpRecord, OrderRecord, UnitOfWork
from domain.roles import Actor

# The API's request shape (api/sales_schemas.py) as a check: fields → validated fields, or
# Invalid naming the fields.
ShapeCheck = Callable[[str, dict[str, Any]], dict[str, Any]]
FIELDS = {
    ImportKind.FOLLOW_UPS: (
        "at",
        "method",
        "summary",
        "feedback",
        "next_action",
        "next_action_due_on",
        "effective",
    ),
    ImportKind.ORDERS: ("order_no", "contract_no", "product", "amount", "ordered_on", "status"),
}


def map_headers(
    kind: ImportKind, headers: Sequence[str], mapping: Mapping[str, str | None]
) -> tuple[dict[int, str], list[str]]:
    index_to_key, unmapped = match_headers(headers, COLUMNS[kind], mapping)
    keys = set(index_to_key.values())
    if not {"customer_code", "customer_credit_code"} & keys:
        raise Invalid(
            [
                {
                    "field": "file",
                    "message": "no column names the customer (客户编号 or 统一社会信用代码)",
                }
            ]
        )
    return index_to_key, unmapped


async def run(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    kind: ImportKind,
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    mapping: Mapping[str, str | None],
    shape: ShapeCheck,
    zone: ZoneInfo,
) -> tuple[Plan, dict[str, str], list[str], list[int]]:
    """Create a record per good row; returns the plan (decisions and errors), the mapping,
    the unmapped headers and the created ids."""
    index_to_key, unmapped = map_headers(kind, headers, mapping)
    columns = {c.key: c for c in COLUMNS[kind]}
    field_headers = {key: headers[i] for i, key in index_to_key.items()}
    ctx = RowContext(
        actor=actor, columns=columns, headers=field_headers, definitions={}, tags={}, users={}
    )
    plan = Plan([], [], field_headers)
    created: list[int] = []
    raws = []
    for number, cells in rows:
        errors: list[RowError] = []
        raw = {
            key: cells[i]
            for i, key in index_to_key.items()
            if i < len(cells) and cells[i] is not None
        }
        raws.append((number, read_cells(number, raw, ctx, errors), errors))
    keys = {
        (f, v[f"customer_{f}"].upper())
        for _, v, _ in raws
        for f in ("code", "credit_code")
        if v.get(f"customer_{f}")
    }
    index = await uow.imports.lookup(keys, [])

    for number, values, errors in raws:
        draft = CustomerDraft(number, errors=errors)

        # this row's number, errors and draft, bound now (the function never outlives the row)
        def fail(
            key: str,
            message: str,
            value: Any = None,
            number: int = number,
            errors: list[RowError] = errors,
            draft: CustomerDraft = draft,
        ) -> Decision:
            errors.append(RowError(number, field_headers.get(key, key), value, message))
            plan.errors.extend(errors)
            return Decision(number, Action.ERROR, draft)

        if errors:
            plan.errors.extend(errors)
            plan.add(Decision(number, Action.ERROR, draft))
            continue
        found = {
            e.id
            for f in ("code", "credit_code")
            if values.get(f"customer_{f}")
            for e in index.get((f, values[f"customer_{f}"].upper()), ())
        }
        if len(found) != 1:
            key = "customer_code" if values.get("customer_code") else "customer_credit_code"
            plan.add(
                fail(
                    key,
                    "no customer you may see has this code"
                    if not found
                    else "the code and credit code name different customers",
                    values.get(key),
                )
            )
            continue
        fields = {k: values[k] for k in FIELDS[kind] if values.get(k) is not None}
        if kind is ImportKind.FOLLOW_UPS:
            fields["customer_id"] = next(iter(found))
            if isinstance(fields.get("at"), date) and not isinstance(fields["at"], datetime):
                fields["at"] = datetime.combine(fields["at"], time(), zone)
            if "effective" in fields:
                fields["effective"] = fields["effective"] == "true"
        try:
            fields = shape(kind.value, fields)
            record: FollowUpRecord | OrderRecord
            async with uow.imports.savepoint():
                if kind is ImportKind.FOLLOW_UPS:
                    record = await follow_up_service.create(uow, clock, actor, fields, zone=zone)
                else:
                    record = await order_service.create(
                        uow, clock, actor, next(iter(found)), fields
                    )
        except Invalid as exc:
            for e in exc.errors:
                errors.append(
                    RowError(
                        number,
                        field_headers.get(e["field"], e["field"]),
                        _shown(values.get(e["field"])),
                        e["message"],
                    )
                )
            plan.errors.extend(errors)
            plan.add(Decision(number, Action.ERROR, draft))
            continue
        except DomainError as exc:
            plan.add(fail("customer_code", exc.detail))
            continue
        created.append(record.id)
        plan.add(Decision(number, Action.CREATE, draft, customer_id=record.id))
    return plan, {headers[i]: k for i, k in index_to_key.items()}, unmapped, created


def _shown(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)
