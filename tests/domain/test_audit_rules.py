"""The audited change (domain/audit.py): the proposed edit, its changes and its entry. Pure."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from domain import audit
from domain.roles import SYSTEM, Actor, Role

FIELDS = ("name", "amount", "ordered_on", "tags")


def order(**values: Any) -> SimpleNamespace:
    defaults = {"name": "A", "amount": Decimal("10.00"), "ordered_on": date(2024, 1, 2)}
    return SimpleNamespace(**{**defaults, "tags": ["x"], **values})


class TestEdit:
    def test_before_is_the_record_and_after_the_record_with_the_values(self):
        change = audit.edit(order(), FIELDS, {"name": "B"})
        assert change.before == {
            "name": "A",
            "amount": Decimal("10.00"),
            "ordered_on": date(2024, 1, 2),
            "tags": ["x"],
        }
        assert change.after == {**change.before, "name": "B"}

    def test_changes_name_only_what_differs_as_json(self):
        change = audit.edit(
            order(),
            FIELDS,
            {"name": "A", "amount": Decimal("12.5"), "ordered_on": date(2024, 2, 1)},
        )
        assert change.changes == {
            "amount": ["10.00", "12.5"],
            "ordered_on": ["2024-01-02", "2024-02-01"],
        }

    def test_the_same_values_are_no_change(self):
        values = {"name": "A", "amount": Decimal("10.00"), "tags": ["x"]}
        assert audit.edit(order(), FIELDS, values).changes == {}
        assert audit.edit(order(), FIELDS, {}).changes == {}

    def test_a_value_equal_as_json_is_no_change(self):
        # a date sent as its ISO text is the date the record holds
        assert audit.edit(order(), FIELDS, {"ordered_on": "2024-01-02"}).changes == {}

    def test_changes_follow_what_is_set_in_after_later(self):
        change = audit.edit(order(), FIELDS, {})
        change.after["tags"] = ["x", "y"]
        assert change.changes == {"tags": [["x"], ["x", "y"]]}

    def test_nothing_is_written_to_the_record(self):
        record = order()
        audit.edit(record, FIELDS, {"name": "B"})
        assert record.name == "A"


class TestApply:
    def test_sets_each_value(self):
        record = order()
        audit.apply(record, {"name": "B", "amount": Decimal("1")})
        assert (record.name, record.amount) == ("B", Decimal("1"))


class _Audit:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, **entry: Any) -> None:
        self.entries.append(entry)


class TestRecord:
    AT = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)

    def test_the_entry_names_the_actor_the_entity_and_the_customer(self):
        uow: Any = SimpleNamespace(audit=_Audit())
        actor = Actor(user_id=7, role=Role.ADMIN)
        audit.record(
            uow, actor, "order", 3, "update", {"name": ["A", "B"]}, at=self.AT, customer_id=9
        )
        assert uow.audit.entries == [
            {
                "actor_id": 7,
                "entity_type": "order",
                "entity_id": 3,
                "customer_id": 9,
                "action": "update",
                "changes": {"name": ["A", "B"]},
                "at": self.AT,
            }
        ]

    def test_the_system_is_no_actor_and_no_customer_is_none(self):
        uow: Any = SimpleNamespace(audit=_Audit())
        audit.record(uow, SYSTEM, "tag", 1, "delete", {}, at=self.AT)
        [entry] = uow.audit.entries
        assert (entry["actor_id"], entry["customer_id"]) == (None, None)
