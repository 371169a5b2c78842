"""The change feed's pure rules: collapsing a page, deletions, the types asked for."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import CursorExpired, Forbidden, Invalid
from domain.integration import change_feed as feed

AT = datetime(2026, 12, 7, tzinfo=UTC)


def event(position, entity_type, entity_id, action="update", customer_id=None, **changes):
    return feed.Event(position, entity_type, entity_id, customer_id, action, changes, AT)


class TestCollapse:
    def test_one_entry_per_record_where_its_last_write_is(self):
        events = [
            event(1, "customer", 7, "create", 7),
            event(2, "customer", 8, "create", 8),
            event(3, "customer", 7, "update", 7),
        ]
        assert [(c.type, c.id, c.position) for c in feed.collapse(events, feed.TYPES)] == [
            ("customers", 8, 2),
            ("customers", 7, 3),
        ]

    def test_a_part_of_a_customer_is_a_change_of_the_customer_too(self):
        events = [event(1, "contact", 3, "create", 7)]
        got = [(c.type, c.id) for c in feed.collapse(events, feed.TYPES)]
        assert got == [("contacts", 3), ("customers", 7)]
        assert [(c.type, c.id) for c in feed.collapse(events, ["contacts"])] == [("contacts", 3)]
        assert feed.entity_types(["customers"]) >= {"customer", "contact", "ticket"}
        assert feed.entity_types(["contacts"]) == {"contact"}

    def test_deletions_keep_the_deleted_values(self):
        deleted = event(4, "customer", 7, "delete", 7, external_ids=[{"erp": "C-1"}, None])
        (change,) = feed.collapse([event(1, "customer", 7, "create", 7), deleted], feed.TYPES)
        assert change.deleted is not None and change.external_ids == {"erp": "C-1"}

    def test_an_import_revert_deletes_the_customers_it_created_only(self):
        reverted = event(1, "customer", 7, "import_revert", 7, code=["C1", None])
        restored = event(2, "customer", 8, "import_revert", 8, name=[None, "旧名"])
        assert feed.is_deletion(reverted) and not feed.is_deletion(restored)


class TestRequest:
    def test_types_default_to_the_scopes_and_need_them(self):
        assert feed.requested_types(None, {"customers:read"}) == tuple(
            t for t in feed.TYPES if t != "tickets"
        )
        assert feed.requested_types("tickets, contacts", {"customers:read", "tickets:read"}) == (
            "contacts",
            "tickets",
        )
        with pytest.raises(Forbidden):
            feed.requested_types("tickets", {"customers:read"})
        with pytest.raises(Invalid):
            feed.requested_types("planets", {"customers:read"})

    def test_a_cursor_lives_thirty_days(self):
        feed.check_issued(AT - timedelta(days=30), AT)
        with pytest.raises(CursorExpired):
            feed.check_issued(AT - timedelta(days=30, seconds=1), AT)
