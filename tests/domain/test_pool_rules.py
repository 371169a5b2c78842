"""Pure rules of the public pool, the lifecycle settings and change requests; and the existing
policies with a pool customer (owner_id None). Hand-checked against Asia/Shanghai (UTC+8, no
daylight saving time)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import change_request, customer, lifecycle_settings, pool, ticket
from domain.errors import Invalid
from domain.roles import Actor, Role

SH = ZoneInfo("Asia/Shanghai")
ZONE = "Asia/Shanghai"
ADMIN = Actor(user_id=1, role=Role.ADMIN)
SUPERVISOR = Actor(user_id=2, role=Role.SUPERVISOR)
AM = Actor(user_id=3, role=Role.ACCOUNT_MANAGER)
AGENT = Actor(user_id=5, role=Role.AGENT)
READONLY = Actor(user_id=6, role=Role.READONLY)
EVERYONE = (ADMIN, SUPERVISOR, AM, AGENT, READONLY)


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@dataclass
class Settings:
    pool_release_days: int = 30
    pool_warning_days: int = 3
    pool_no_order_days: int | None = None
    pool_claim_limit: int = 200
    pool_reclaim_cooldown_days: int = 7
    stale_opportunity_days: int = 30
    dormancy_days: int = 180
    churn_no_order_days: int = 365
    churn_complaint_days: int = 90
    verification_days: int = 90


DEFAULTS = vars(Settings())


class TestCalendarDays:
    def test_thirty_days_count_local_dates_not_hours(self):
        # Run on 31 March 02:00 local: anything engaged on 1 March (any hour) is 30 days back.
        cut = pool.quiet_since_before(sh("2025-03-31 02:00"), 30, ZONE)
        assert cut == sh("2025-03-02 00:00")
        assert sh("2025-03-01 23:59:59") < cut <= sh("2025-03-02 00:00")

    def test_the_local_date_decides_not_the_utc_one(self):
        # 2025-03-30 17:00 UTC is already 31 March in Shanghai.
        cut = pool.quiet_since_before(datetime(2025, 3, 30, 17, 0, tzinfo=UTC), 30, ZONE)
        assert cut == sh("2025-03-02 00:00")
        cut = pool.quiet_since_before(datetime(2025, 3, 30, 15, 59, tzinfo=UTC), 30, ZONE)
        assert cut == sh("2025-03-01 00:00")

    def test_a_date_n_days_back(self):
        assert pool.day_on_or_before(sh("2025-03-31 00:00"), 30, ZONE) == date(2025, 3, 1)
        assert pool.day_on_or_before(sh("2025-03-30 23:59"), 30, ZONE) == date(2025, 2, 28)

    @given(
        st.datetimes(
            min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
        ),
        st.datetimes(
            min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
        ),
        st.integers(min_value=1, max_value=400),
    )
    def test_before_the_cut_means_at_least_n_local_days(self, now, moment, days):
        quiet = (now.astimezone(SH).date() - moment.astimezone(SH).date()).days
        assert (moment < pool.quiet_since_before(now, days, ZONE)) == (quiet >= days)


class TestRecycleCutoffs:
    def test_release_and_warning_three_days_apart(self):
        cut = pool.recycle_cutoffs(Settings(), sh("2025-03-31 02:00"), ZONE)
        assert cut.release_before == sh("2025-03-02 00:00")  # quiet since 1 March or earlier
        assert cut.warn_before == sh("2025-03-05 00:00")  # 27 days: since 4 March
        assert cut.no_order is None

    def test_no_order_rule_when_set(self):
        cut = pool.recycle_cutoffs(Settings(pool_no_order_days=90), sh("2025-03-31 02:00"), ZONE)
        # 90 days before 31 March is 31 December: owned since then, last order then or never.
        assert cut.no_order == pool.NoOrderCutoffs(
            days=90,
            owned_before=sh("2025-01-01 00:00"),
            last_order_on=date(2024, 12, 31),
            # The warning 3 days earlier: 87 days, 3 January.
            warn_owned_before=sh("2025-01-04 00:00"),
            warn_last_order_on=date(2025, 1, 3),
        )


class TestReclaimCooldown:
    def test_claimable_from_the_start_of_the_local_day_n_days_later(self):
        # Released 1 March 23:30 local (15:30 UTC): 7 days → from 8 March 00:00 local.
        released = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)
        assert pool.claimable_from(released, 7, ZONE) == sh("2025-03-08 00:00")

    def test_zero_days_is_no_cooldown(self):
        released = sh("2025-03-01 10:00")
        assert pool.claimable_from(released, 0, ZONE) <= released


class TestPoolAccess:
    @pytest.mark.parametrize(
        ("actor", "lists", "claims"),
        [
            (ADMIN, True, True),
            (SUPERVISOR, True, False),
            (AM, True, True),
            (AGENT, False, False),
            (READONLY, True, False),
        ],
    )
    def test_who_lists_and_claims(self, actor, lists, claims):
        assert pool.can_list(actor) is lists
        assert pool.can_claim(actor) is claims

    def test_only_admins_see_who_released(self):
        assert [a.role for a in EVERYONE if pool.sees_released_by(a)] == [Role.ADMIN]

    @pytest.mark.parametrize("actor", [SUPERVISOR, AM, READONLY])
    def test_contacts_masked_like_a_supervisor_sees_them(self, actor):
        values = {"mobile": "+8613812345678", "phone": "+861012345678", "email": "a@example.com"}
        assert pool.redact_contact(actor, values) == ["mobile", "phone"]
        assert values["mobile"] == "+86138****5678" and values["email"] == "a@example.com"

    def test_admins_see_contacts_whole(self):
        values = {"mobile": "+8613812345678"}
        assert pool.redact_contact(ADMIN, values) == []
        assert values["mobile"] == "+8613812345678"


class TestPolicyWithAPoolCustomer:
    """owner_id None: nobody's customer. Account managers neither read nor write it."""

    @pytest.mark.parametrize("actor", [ADMIN, SUPERVISOR, AGENT, READONLY])
    def test_readers_other_than_account_managers_see_it(self, actor):
        assert customer.can_read(actor, owner_id=None, archived=False)

    def test_an_account_manager_does_not(self):
        assert not customer.can_read(AM, owner_id=None, archived=False)
        assert not customer.can_write(AM, owner_id=None)
        assert not customer.sees_in_full(AM, owner_id=None)

    def test_a_system_like_actor_without_id_owns_nothing(self):
        ghost = Actor(user_id=None, role=Role.ACCOUNT_MANAGER)
        assert not customer.can_read(ghost, owner_id=None, archived=False)

    def test_only_admins_write_it_and_see_it_whole(self):
        assert [a.role for a in EVERYONE if customer.can_write(a, owner_id=None)] == [Role.ADMIN]
        values = {"id_number": "110101199003070015"}
        assert customer.redact(SUPERVISOR, None, values, frozenset()) == ["id_number"]
        assert values["id_number"] == "110101********0015"

    def test_tickets_of_a_pool_customer(self):
        access = ticket.TicketAccess(
            customer_owner_id=None,
            department_id=None,
            assignee_id=None,
            collaborator_user_ids=frozenset(),
            collaborator_department_ids=frozenset(),
        )
        assert not ticket.can_read(AM, access)
        assert not ticket.can_comment(AM, access)
        assert not ticket.can_create(AM, customer_owner_id=None)
        for actor in (ADMIN, SUPERVISOR, AGENT):
            assert ticket.can_create(actor, customer_owner_id=None)


class TestLifecycleSettingsRules:
    def test_the_seeded_defaults_are_valid(self):
        assert lifecycle_settings.errors(DEFAULTS) == []

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"pool_release_days": 0}, "pool_release_days"),
            ({"pool_release_days": -30}, "pool_release_days"),
            ({"dormancy_days": 3651}, "dormancy_days"),
            ({"verification_days": True}, "verification_days"),
            ({"stale_opportunity_days": 1.5}, "stale_opportunity_days"),
            ({"pool_claim_limit": 0}, "pool_claim_limit"),
            ({"pool_reclaim_cooldown_days": -1}, "pool_reclaim_cooldown_days"),
            ({"pool_no_order_days": 0}, "pool_no_order_days"),
            ({"pool_warning_days": 30}, "pool_warning_days"),
            ({"pool_warning_days": 31}, "pool_warning_days"),
            ({"pool_no_order_days": 3}, "pool_warning_days"),
        ],
    )
    def test_refused(self, changes, field):
        assert [e["field"] for e in lifecycle_settings.errors({**DEFAULTS, **changes})] == [field]

    @pytest.mark.parametrize(
        "changes",
        [
            {"pool_reclaim_cooldown_days": 0},
            {"pool_no_order_days": None},
            {"pool_no_order_days": 4},
            {"pool_warning_days": 29},
            {"pool_claim_limit": 1},
            {"pool_release_days": 3650, "pool_warning_days": 3649},
        ],
    )
    def test_accepted(self, changes):
        assert lifecycle_settings.errors({**DEFAULTS, **changes}) == []

    @pytest.mark.parametrize(
        ("actor", "reads"),
        [(ADMIN, True), (SUPERVISOR, True), (READONLY, True), (AM, False), (AGENT, False)],
    )
    def test_who_reads_them(self, actor, reads):
        assert lifecycle_settings.can_read(actor) is reads


class TestChangeRequestRules:
    def test_admins_edit_key_fields_directly(self):
        assert change_request.key_fields_needing_approval(ADMIN, {"name": "x", "owner_id": 4}) == []

    def test_others_need_approval_for_each_key_field(self):
        assert change_request.key_fields_needing_approval(
            AM, {"region": "华东", "owner_id": 4, "name": "x"}
        ) == ["name", "owner_id"]

    def test_key_fields_go_on_their_own(self):
        change_request.check_on_their_own(
            {"name": "x", "credit_code": "y"}, ["name", "credit_code"]
        )
        with pytest.raises(Invalid) as caught:
            change_request.check_on_their_own(
                {"name": "x", "region": "华东", "stage": "intent"}, ["name"]
            )
        assert [e["field"] for e in caught.value.extensions["errors"]] == ["region", "stage"]

    def test_who_reads_and_decides(self):
        assert change_request.can_read(ADMIN, requested_by=99)
        assert change_request.can_read(AM, requested_by=AM.user_id)
        assert not change_request.can_read(AM, requested_by=99)
        assert not change_request.can_read(SUPERVISOR, requested_by=99)
        assert [a.role for a in EVERYONE if change_request.can_decide(a)] == [Role.ADMIN]

    def test_id_numbers_masked_unless_seen_in_full(self):
        number = "110101199003070015"
        assert (
            change_request.redact_value("id_number", number, in_full=False) == "110101********0015"
        )
        assert change_request.redact_value("id_number", number, in_full=True) == number
        assert change_request.redact_value("name", "某公司", in_full=False) == "某公司"
