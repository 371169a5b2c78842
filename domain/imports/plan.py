"""Duplicates and what each row of a customer file does under a mode.

A row is the same customer as another row or an existing customer when they share a credit
code, ID number, mobile, e-mail or normalised name. Only the identifiers (code, credit code,
ID number) are strong enough for `upsert` to update a customer; a match on mobile, e-mail or
name alone is reported, never acted on."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from domain import customer as rules
from domain.custom_field import Definition, validate_values
from domain.errors import Invalid
from domain.imports.columns import Mode
from domain.imports.rows import CustomerDraft, RowError, normal_name
from domain.roles import Actor

IDENTITY = ("code", "credit_code", "id_number")
SIMILARITY = ("mobile", "email", "name")
KEY_FIELDS = frozenset({"name", "credit_code", "id_number", "owner_id"})  # rules.ADMIN_ONLY too
MatchKey = tuple[str, str]


NOTHING: Mapping[str, Any] = MappingProxyType({})


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"  # a duplicate left out (skip_duplicates)
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Existing:
    """A customer already in the database, as far as matching and updating need it."""

    id: int
    code: str
    kind: str
    owner_id: int | None
    archived: bool
    values: Mapping[str, Any]  # rows.CUSTOMER_FIELDS, grade_locked and custom_fields
    contacts: tuple[Mapping[str, Any], ...] = ()  # id, name, title, mobile, phone, email, wechat
    tag_names: frozenset[str] = frozenset()


@dataclass(slots=True)
class Duplicate:
    row: int
    field: str  # credit_code | id_number | mobile | email | name | code
    value: str
    of_row: int | None = None  # the earlier row of the file it repeats
    of_code: str | None = None  # the existing customer it matches (None: one you may not see)


@dataclass(slots=True)
class Decision:
    row: int
    action: Action
    draft: CustomerDraft
    customer_id: int | None = None
    # What an update changes. Shared empty values by default: a file of 100,000 rows has as
    # many decisions, and most are creates, skips or errors.
    changes: Mapping[str, Any] = field(default_factory=lambda: NOTHING)  # field → new value
    new_contacts: Sequence[dict[str, Any]] = ()
    changed_contacts: Sequence[tuple[int, dict[str, Any]]] = ()
    added_tags: Sequence[str] = ()


@dataclass(slots=True)
class Plan:
    """What a file's rows do: counts by action, the errors and duplicates to report, and the
    decisions still to carry out once every row is checked (the updates; the creates too when
    they are written after the check)."""

    errors: list[RowError]
    duplicates: list[Duplicate]
    headers: Mapping[str, str] = field(default_factory=dict)  # field → header in the file
    counts: Counter[Action] = field(default_factory=Counter)
    updates: list[Decision] = field(default_factory=list)
    creates: list[Decision] = field(default_factory=list)

    def add(self, decision: Decision, *, keep_creates: bool = False) -> None:
        self.counts[decision.action] += 1
        if decision.action is Action.UPDATE:
            self.updates.append(decision)
        elif decision.action is Action.CREATE and keep_creates:
            self.creates.append(decision)

    def count(self, action: Action) -> int:
        return self.counts[action]


def keys_of(draft: CustomerDraft) -> list[MatchKey]:
    """The values a row can be matched on, identifiers first (worked out once per row: the
    lookup and the plan both need them)."""
    if draft.match_keys is not None:
        return draft.match_keys
    out: list[MatchKey] = []
    if draft.code:
        out.append(("code", draft.code.upper()))
    for name in ("credit_code", "id_number"):
        if draft.values.get(name):
            out.append((name, draft.values[name]))
    for contact in draft.contacts:
        if contact.get("mobile"):
            out.append(("mobile", contact["mobile"]))
        if contact.get("email"):
            out.append(("email", contact["email"].casefold()))
    if draft.values.get("name"):
        out.append(("name", normal_name(draft.values["name"])))
    draft.match_keys = list(dict.fromkeys(out))
    return draft.match_keys


class Planner:
    """Decides a file's rows in their order, batch by batch as they are checked: a row is a
    duplicate of the earlier rows and of what the database holds (`index`: the customers
    matching the batch's keys, keys_of). Its plan keeps the counts, errors, duplicates and
    updates; each batch's decisions go back to the caller, which writes the creates and lets
    the rest go, so that a big file's rows are not all held at once."""

    def __init__(
        self,
        actor: Actor,
        mode: Mode,
        headers: Mapping[str, str],
        definitions: Mapping[str, Definition],
        *,
        keep_creates: bool = False,
    ) -> None:
        headers = dict(headers)
        for name in ("mobile", "email"):
            headers.setdefault(name, headers.get(f"contact1.{name}", name))
        self.plan = Plan([], [], headers)
        self._actor, self._mode, self._definitions = actor, mode, definitions
        self._keep_creates = keep_creates
        self._seen: dict[MatchKey, int] = {}

    def decide(
        self, drafts: Iterable[CustomerDraft], index: Mapping[MatchKey, list[Existing]]
    ) -> list[Decision]:
        decisions = []
        for draft in drafts:
            decision = _decide(
                draft, index, self._seen, self._actor, self._mode, self.plan, self._definitions
            )
            draft.match_keys = None  # decided: the keys would only hold memory until the write
            self.plan.add(decision, keep_creates=self._keep_creates)
            decisions.append(decision)
        return decisions


def _decide(
    draft: CustomerDraft,
    index: Mapping[MatchKey, list[Existing]],
    seen: dict[MatchKey, int],
    actor: Actor,
    mode: Mode,
    result: Plan,
    definitions: Mapping[str, Definition],
) -> Decision:
    row = draft.row
    keys = keys_of(draft)
    in_file = [(k, seen[k]) for k in keys if k in seen]
    for k in keys:
        seen.setdefault(k, row)
    strong: dict[int, Existing] = {}
    weak: list[tuple[MatchKey, Existing]] = []
    for k in keys:
        for existing in index.get(k, ()):
            if k[0] in IDENTITY:
                strong[existing.id] = existing
            else:
                weak.append((k, existing))
    weak = [(k, e) for k, e in weak if e.id not in strong]
    for k, of_row in in_file:
        result.duplicates.append(Duplicate(row, k[0], k[1], of_row=of_row))
    for k in keys:
        for existing in index.get(k, ()) if k[0] != "code" else ():  # a code is a reference
            result.duplicates.append(Duplicate(row, k[0], k[1], of_code=_code_for(actor, existing)))
    if draft.code and ("code", draft.code.upper()) not in index:
        return _error(result, draft, "code", draft.code, "no customer you may see has this code")
    if not draft.ok:
        result.errors.extend(draft.errors)
        return Decision(row, Action.ERROR, draft)
    duplicate = bool(in_file or strong or weak)
    if mode is Mode.SKIP_DUPLICATES and duplicate:
        return Decision(row, Action.SKIP, draft)
    if in_file:
        k, of_row = in_file[0]
        return _error(result, draft, k[0], k[1], f"the same customer as row {of_row} ({k[0]})")
    if mode is Mode.INSERT_ONLY and (strong or weak):
        k, existing = next((k, e) for k in keys for e in index.get(k, ()))
        return _error(result, draft, k[0], k[1], _duplicate_message(actor, existing, k[0]))
    if len(strong) > 1:
        codes = ", ".join(sorted(_code_for(actor, e) or "?" for e in strong.values()))
        return _error(result, draft, "code", draft.code, f"matches several customers: {codes}")
    if strong:
        existing = next(iter(strong.values()))
        if not rules.can_write(actor, owner_id=existing.owner_id) or not rules.can_read(
            actor, owner_id=existing.owner_id, archived=existing.archived
        ):
            return _error(
                result, draft, "code", draft.code, "matches a customer you may not change"
            )
        return _update(draft, existing, actor, result)
    if weak:
        k, existing = weak[0]
        return _error(
            result,
            draft,
            k[0],
            k[1],
            _duplicate_message(actor, existing, k[0])
            + "; to update it, give its code or credit code",
        )
    if draft.code is None:
        assert draft.kind is not None  # rows.py failed a row with neither a kind nor a code
        try:
            rules.check_required(rules.Kind(draft.kind), draft.values)
            validate_values(definitions, {}, draft.custom)
        except Invalid as exc:
            for e in exc.errors:
                column = e["field"].replace("custom_fields.", "custom.")
                result.errors.append(
                    RowError(row, result.headers.get(column, column), None, e["message"])
                )
            return Decision(row, Action.ERROR, draft)
    return Decision(row, Action.CREATE, draft)


def _code_for(actor: Actor, existing: Existing) -> str | None:
    """The existing customer's code, unless the actor may not see that customer."""
    if rules.can_read(actor, owner_id=existing.owner_id, archived=existing.archived):
        return existing.code
    return None


def _duplicate_message(actor: Actor, existing: Existing, field_name: str) -> str:
    code = _code_for(actor, existing)
    who = f"customer {code}" if code else "a customer you may not see"
    return f"same {field_name.replace('_', ' ')} as {who}"


def _error(result: Plan, draft: CustomerDraft, column: str, value: Any, message: str) -> Decision:
    result.errors.append(RowError(draft.row, result.headers.get(column, column), value, message))
    result.errors.extend(draft.errors)
    return Decision(draft.row, Action.ERROR, draft)


def _update(draft: CustomerDraft, existing: Existing, actor: Actor, result: Plan) -> Decision:
    """Field by field, only what the row gives and what differs."""
    decision = Decision(draft.row, Action.UPDATE, draft, customer_id=existing.id)
    if draft.kind is not None and draft.kind != existing.kind:
        return _error(result, draft, "kind", draft.kind, "a customer's kind never changes")
    if draft.unchecked is not None:  # named by code alone: its kind is the customer's
        try:
            draft.values = rules.normalize(rules.Kind(existing.kind), draft.unchecked)
        except Invalid as exc:
            for e in exc.errors:
                result.errors.append(
                    RowError(
                        draft.row,
                        result.headers.get(e["field"], e["field"]),
                        draft.unchecked.get(e["field"]),
                        e["message"],
                    )
                )
            return Decision(draft.row, Action.ERROR, draft)
        if "grade" in draft.values:
            draft.values["grade_locked"] = True
    changes = {
        k: v for k, v in draft.values.items() if k != "grade_locked" and existing.values.get(k) != v
    }
    if "grade" in changes and not existing.values.get("grade_locked"):
        changes["grade_locked"] = True
    if draft.owner_id is not None and draft.owner_id != existing.owner_id:
        changes["owner_id"] = draft.owner_id
    if draft.custom:
        merged = {**(existing.values.get("custom_fields") or {}), **draft.custom}
        if merged != (existing.values.get("custom_fields") or {}):
            changes["custom_fields"] = merged
    if not actor.is_admin:
        blocked = sorted(KEY_FIELDS & changes.keys())
        if blocked:
            return _error(
                result,
                draft,
                blocked[0],
                changes[blocked[0]],
                "changing this needs an admin's approval: edit it on the customer's page",
            )
    try:
        rules.check_required(rules.Kind(existing.kind), {**existing.values, **changes})
    except Invalid as exc:
        e = exc.errors[0]
        return _error(result, draft, e["field"], None, e["message"])
    decision.changes = changes
    decision.added_tags = [t for t in draft.tag_names if t not in existing.tag_names]
    new_contacts, changed_contacts = [], []
    for contact in draft.contacts:
        match = _same_contact(contact, existing.contacts)
        if match is None:
            new_contacts.append(contact)
            continue
        diff = {k: v for k, v in contact.items() if match.get(k) != v}
        if diff:
            changed_contacts.append((match["id"], diff))
    decision.new_contacts, decision.changed_contacts = new_contacts, changed_contacts
    if not (changes or decision.added_tags or decision.new_contacts or decision.changed_contacts):
        decision.action = Action.UNCHANGED
    return decision


def _same_contact(
    contact: Mapping[str, Any], existing: Iterable[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    existing = list(existing)
    for name in ("name", "mobile", "email"):
        if contact.get(name):
            for other in existing:
                if other.get(name) == contact[name]:
                    return other
    return None
