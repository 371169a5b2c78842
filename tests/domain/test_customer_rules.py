"""Customer rules (domain/customer.py) and login throttling (user_service.login_wait): pure."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customer import (
    Kind,
    can_read,
    can_write,
    check_industry,
    check_required,
    normalize,
    reach_warnings,
    redact,
    redact_contact,
)
from domain.errors import Invalid
from domain.roles import Actor, Role
from domain.user_service import (
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_USER,
    login_wait,
)
from domain.validation import InvalidValue
from tests.conftest import credit_code, id_number

MAX_FAILURES = MAX_FAILURES_PER_USER


def retry_after(failures: list, now):
    """The wait for one more attempt now, after `failures` for the same user and address."""
    return login_wait([*failures, now], [*failures, now], now)


ADMIN = Actor(user_id=1, role=Role.ADMIN)
SUPERVISOR = Actor(user_id=2, role=Role.SUPERVISOR)
OWNER = Actor(user_id=3, role=Role.ACCOUNT_MANAGER)
OTHER_AM = Actor(user_id=4, role=Role.ACCOUNT_MANAGER)
AGENT = Actor(user_id=5, role=Role.AGENT)
READONLY = Actor(user_id=6, role=Role.READONLY)
OWNER_ID = OWNER.user_id
EVERYONE = [ADMIN, SUPERVISOR, OWNER, OTHER_AM, AGENT, READONLY]


def fields_of(call, *args) -> list[str]:
    with pytest.raises(Invalid) as caught:
        call(*args)
    return [e["field"] for e in caught.value.extensions["errors"]]


class TestCheckIndustry:
    @pytest.mark.parametrize(
        ("code", "normalised"),
        [
            ("I", "I"),
            ("i65", "I65"),
            (" c13 ", "C13"),
            ("C43", "C43"),
            ("A01", "A01"),
            ("T97", "T97"),
            ("K70", "K70"),
            ("Ｉ６５", "I65"),
        ],
    )
    def test_sections_and_their_divisions(self, code, normalised):
        assert check_industry(code) == normalised

    @pytest.mark.parametrize(
        "code",
        [
            "",
            "Z",
            "U",
            "I6",
            "I650",
            "I99",
            "C44",
            "C12",
            "A00",
            "K71",
            "I6a",
            "65",
            "II",
            "I-5",
            "I٦٥",
            "I 65",
        ],
    )
    def test_anything_else_is_refused(self, code):
        with pytest.raises(InvalidValue) as caught:
            check_industry(code)
        assert caught.value.code == "invalid-industry"

    @given(st.text(max_size=5))
    def test_never_crashes_and_answers_ascii(self, code):
        try:
            result = check_industry(code)
        except InvalidValue:
            return
        assert result.isascii() and len(result) in (1, 3)


class TestNormalize:
    def test_an_organization_is_normalised(self):
        code = credit_code()
        out = normalize(
            Kind.ORGANIZATION,
            {
                "name": "  上海某某科技有限公司 ",
                "credit_code": f" {code[:9].lower()} {code[9:]} ",
                "industry": "i65",
                "region": "  ",
                "address": " 浦东 ",
            },
        )
        assert out == {
            "name": "上海某某科技有限公司",
            "credit_code": code,
            "industry": "I65",
            "region": None,
            "address": "浦东",
        }

    def test_an_individual_gets_birthday_and_gender_from_the_id_number(self):
        male, female = id_number("19900307", 1), id_number("20000229", 2)
        assert normalize(Kind.INDIVIDUAL, {"id_number": male.lower()}) == {
            "id_number": male,
            "birthday": date(1990, 3, 7),
            "gender": "male",
        }
        out = normalize(Kind.INDIVIDUAL, {"id_number": female})
        assert (out["birthday"], out["gender"]) == (date(2000, 2, 29), "female")

    def test_a_matching_birthday_and_gender_are_accepted(self):
        number = id_number("19900307", 3)
        out = normalize(
            Kind.INDIVIDUAL, {"id_number": number, "birthday": date(1990, 3, 7), "gender": "male"}
        )
        assert out["gender"] == "male"

    def test_a_contradicting_birthday_and_gender_are_refused(self):
        number = id_number("19900307", 3)
        assert sorted(
            fields_of(
                normalize,
                Kind.INDIVIDUAL,
                {"id_number": number, "birthday": date(1991, 3, 7), "gender": "female"},
            )
        ) == ["birthday", "gender"]

    @pytest.mark.parametrize(
        ("kind", "field", "value"),
        [
            (Kind.INDIVIDUAL, "credit_code", "x"),
            (Kind.INDIVIDUAL, "industry", "I"),
            (Kind.INDIVIDUAL, "size", "0-20"),
            (Kind.INDIVIDUAL, "main_business", "x"),
            (Kind.ORGANIZATION, "id_number", "x"),
            (Kind.ORGANIZATION, "gender", "male"),
            (Kind.ORGANIZATION, "birthday", date(1990, 1, 1)),
        ],
    )
    def test_a_field_of_the_other_kind_is_refused(self, kind, field, value):
        assert fields_of(normalize, kind, {field: value}) == [field]

    def test_null_for_a_field_of_the_other_kind_is_fine(self):
        assert normalize(Kind.ORGANIZATION, {"id_number": None}) == {"id_number": None}

    @pytest.mark.parametrize("field", ["name", "stage", "owner_id"])
    def test_not_null_fields_cannot_be_cleared(self, field):
        assert fields_of(normalize, Kind.ORGANIZATION, {field: None}) == [field]

    def test_bad_identifiers_are_refused(self):
        assert sorted(
            fields_of(
                normalize, Kind.ORGANIZATION, {"credit_code": "91440300MA5XXXXXX1", "industry": "Z"}
            )
        ) == ["credit_code", "industry"]
        good = id_number()
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")
        assert "id_number" in fields_of(normalize, Kind.INDIVIDUAL, {"id_number": bad})

    def test_every_error_at_once(self):
        assert sorted(
            fields_of(
                normalize,
                Kind.ORGANIZATION,
                {"name": None, "id_number": "x", "credit_code": "bad", "industry": "Q99"},
            )
        ) == ["credit_code", "id_number", "industry", "name"]

    def test_the_input_is_not_mutated(self):
        fields = {"name": " x ", "industry": "i"}
        normalize(Kind.ORGANIZATION, fields)
        assert fields == {"name": " x ", "industry": "i"}


class TestCheckRequired:
    def test_an_organization_needs_name_and_credit_code(self):
        check_required(Kind.ORGANIZATION, {"name": "x", "credit_code": "y"})
        assert fields_of(check_required, Kind.ORGANIZATION, {"name": "x"}) == ["credit_code"]
        assert fields_of(check_required, Kind.ORGANIZATION, {}) == ["name", "credit_code"]

    def test_an_individual_needs_name_and_id_number(self):
        check_required(Kind.INDIVIDUAL, {"name": "x", "id_number": "y"})
        assert fields_of(check_required, Kind.INDIVIDUAL, {"name": "x", "credit_code": "y"}) == [
            "id_number"
        ]

    @pytest.mark.parametrize("blank", [None, ""])
    def test_blank_counts_as_missing(self, blank):
        assert fields_of(
            check_required, Kind.ORGANIZATION, {"name": blank, "credit_code": "y"}
        ) == ["name"]


class TestCanRead:
    @pytest.mark.parametrize("actor", [ADMIN, SUPERVISOR, OWNER, AGENT, READONLY])
    def test_everyone_but_other_account_managers_reads_an_active_customer(self, actor):
        assert can_read(actor, owner_id=OWNER_ID, archived=False)

    def test_an_account_manager_reads_only_their_own(self):
        assert not can_read(OTHER_AM, owner_id=OWNER_ID, archived=False)

    @pytest.mark.parametrize("actor", [SUPERVISOR, OWNER, OTHER_AM, AGENT, READONLY])
    def test_archived_customers_are_admins_only(self, actor):
        assert not can_read(actor, owner_id=OWNER_ID, archived=True)
        assert can_read(ADMIN, owner_id=OWNER_ID, archived=True)


class TestCanWrite:
    def test_admins_and_the_owner_write(self):
        assert can_write(ADMIN, owner_id=OWNER_ID)
        assert can_write(OWNER, owner_id=OWNER_ID)

    @pytest.mark.parametrize("actor", [SUPERVISOR, OTHER_AM, AGENT, READONLY])
    def test_nobody_else_does(self, actor):
        assert not can_write(actor, owner_id=OWNER_ID)

    def test_an_agent_who_happens_to_be_the_owner_id_still_does_not(self):
        assert not can_write(AGENT, owner_id=AGENT.user_id)


def record() -> dict:
    return {
        "name": "王小明",
        "id_number": "110101199003070015",
        "cumulative_amount": Decimal("9.50"),
        "value_level": "high",
        "custom_fields": {"salary": "1000", "hobby": "golf"},
        "region": "华东",
    }


SENSITIVE = frozenset({"salary"})


class TestRedact:
    @pytest.mark.parametrize("actor", [ADMIN, OWNER])
    def test_admins_and_the_owner_see_everything(self, actor):
        values = record()
        assert redact(actor, OWNER_ID, values, SENSITIVE) == []
        assert values == record()

    @pytest.mark.parametrize("actor", [SUPERVISOR, READONLY, OTHER_AM])
    def test_others_see_the_id_number_masked_and_the_rest(self, actor):
        values = record()
        assert redact(actor, OWNER_ID, values, SENSITIVE) == ["id_number"]
        assert values == {**record(), "id_number": "110101********0015"}

    def test_agents_see_no_id_number_no_money_no_sensitive_fields(self):
        values = record()
        touched = redact(AGENT, OWNER_ID, values, SENSITIVE)
        assert sorted(touched) == [
            "cumulative_amount",
            "custom_fields.salary",
            "id_number",
            "value_level",
        ]
        assert values == {
            "name": "王小明",
            "id_number": None,
            "cumulative_amount": None,
            "value_level": None,
            "custom_fields": {"hobby": "golf"},
            "region": "华东",
        }

    def test_absent_or_empty_values_are_not_reported(self):
        values = {"name": "x", "id_number": None, "custom_fields": {"hobby": "golf"}}
        assert redact(SUPERVISOR, OWNER_ID, values, SENSITIVE) == []
        assert redact(AGENT, OWNER_ID, {"name": "x"}, SENSITIVE) == []

    def test_works_on_half_an_audit_change(self):
        half = {"id_number": "110101199003070015"}
        assert redact(READONLY, OWNER_ID, half, SENSITIVE) == ["id_number"]
        assert half["id_number"] == "110101********0015"
        custom_half = {"custom_fields": {"salary": "1"}}
        redact(AGENT, OWNER_ID, custom_half, SENSITIVE)
        assert custom_half == {"custom_fields": {}}


class TestRedactContact:
    def contact(self) -> dict:
        return {
            "name": "李雷",
            "mobile": "+8613812345678",
            "phone": "+862161234567",
            "email": "li@example.com",
            "wechat": "lilei",
        }

    @pytest.mark.parametrize("actor", [SUPERVISOR, READONLY, OTHER_AM])
    def test_phones_are_masked_for_readers(self, actor):
        values = self.contact()
        assert redact_contact(actor, OWNER_ID, values) == ["mobile", "phone"]
        assert values["mobile"] == "+86138****5678"
        assert values["phone"].startswith("+86") and values["phone"].endswith("4567")
        assert "*" in values["phone"]
        assert {k: values[k] for k in ("name", "email", "wechat")} == {
            "name": "李雷",
            "email": "li@example.com",
            "wechat": "lilei",
        }

    @pytest.mark.parametrize("actor", [ADMIN, OWNER, AGENT])
    def test_admins_owners_and_agents_see_phones_whole(self, actor):
        values = self.contact()
        assert redact_contact(actor, OWNER_ID, values) == []
        assert values == self.contact()

    def test_missing_phones_are_not_reported(self):
        assert redact_contact(SUPERVISOR, OWNER_ID, {"mobile": None, "phone": ""}) == []


class TestReachWarnings:
    def test_no_contact_methods_warns(self):
        [warning] = reach_warnings(0)
        assert warning["code"] == "fewer-than-two-contact-methods"
        assert "0" in warning["message"]

    def test_one_method_warns(self):
        assert len(reach_warnings(1)) == 1

    def test_two_ways_are_enough(self):
        assert reach_warnings(2) == []
        assert reach_warnings(5) == []


NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class TestRetryAfter:
    def test_fewer_than_the_maximum_is_not_locked(self):
        failures = [NOW - timedelta(minutes=m) for m in range(MAX_FAILURES - 1, 0, -1)]
        assert retry_after(failures, NOW) is None
        assert retry_after([], NOW) is None

    def test_the_maximum_within_the_window_locks_until_the_oldest_expires(self):
        failures = [
            NOW - timedelta(minutes=10) + timedelta(minutes=2 * i) for i in range(MAX_FAILURES)
        ]  # -10, -8, -6, -4, -2 minutes
        wait = retry_after(failures, NOW)
        # the oldest leaves the window 5 minutes from now
        assert wait is not None and 300 <= wait <= 301

    def test_with_more_failures_the_lock_lasts_until_only_max_minus_one_remain(self):
        failures = [NOW - timedelta(minutes=12), NOW - timedelta(minutes=11)] + [
            NOW - timedelta(minutes=m) for m in (5, 4, 3, 2)
        ]
        assert 240 <= retry_after(failures, NOW) <= 241  # -11 expires in 4 minutes

    def test_failures_older_than_the_window_do_not_count(self):
        failures = [NOW - FAILURE_WINDOW - timedelta(seconds=1)] + [
            NOW - timedelta(minutes=m) for m in (4, 3, 2, 1)
        ]
        assert retry_after(failures, NOW) is None

    def test_a_failure_exactly_one_window_ago_has_expired(self):
        failures = [NOW - FAILURE_WINDOW] + [NOW - timedelta(minutes=m) for m in (4, 3, 2, 1)]
        assert retry_after(failures, NOW) is None

    def test_a_fraction_of_a_second_left_still_says_at_least_one(self):
        failures = [NOW - FAILURE_WINDOW + timedelta(milliseconds=300)] + [
            NOW - timedelta(minutes=m) for m in (4, 3, 2, 1)
        ]
        assert retry_after(failures, NOW) == 1

    def test_the_wait_ends_exactly_when_the_lock_does(self):
        failures = [NOW - timedelta(minutes=m) for m in (14, 13, 12, 11, 10)]
        wait = retry_after(failures, NOW)
        assert retry_after(failures, NOW + timedelta(seconds=wait)) is None
        assert retry_after(failures, NOW + timedelta(seconds=wait - 2)) is not None

    @given(st.lists(st.integers(min_value=0, max_value=30 * 60), max_size=12))
    def test_locked_exactly_while_max_failures_are_recent(self, ages):
        failures = sorted(NOW - timedelta(seconds=a) for a in ages)
        recent = [f for f in failures if f > NOW - FAILURE_WINDOW]
        wait = retry_after(failures, NOW)
        assert (wait is not None) == (len(recent) >= MAX_FAILURES)
        if wait is not None:
            assert wait >= 1
            assert retry_after(failures, NOW + timedelta(seconds=wait)) is None


class TestLoginWaitPerAddress:
    """login_wait's second list: all of one address's attempts, whatever the usernames."""

    def test_an_address_spraying_many_usernames_waits(self):
        sprayed = [NOW - timedelta(seconds=20 * i) for i in range(MAX_FAILURES_PER_ADDRESS, 0, -1)]
        # A username this address never tried: its own count is one, the address's is over.
        wait = login_wait([NOW], [*sprayed, NOW], NOW)
        oldest = sprayed[0]
        assert wait == int((oldest + FAILURE_WINDOW - NOW).total_seconds())

    def test_up_to_the_address_limit_goes_ahead(self):
        sprayed = [
            NOW - timedelta(seconds=20 * i) for i in range(MAX_FAILURES_PER_ADDRESS - 1, 0, -1)
        ]
        assert login_wait([NOW], [*sprayed, NOW], NOW) is None

    def test_the_longer_of_the_two_waits_applies(self):
        mine = [NOW - timedelta(minutes=m) for m in (3, 2, 2, 1, 1)]
        others = [NOW - timedelta(minutes=14)] * MAX_FAILURES_PER_ADDRESS
        wait = login_wait([*mine, NOW], [*others, *mine, NOW], NOW)
        assert wait == 12 * 60  # the pair's oldest (-3 min) leaves in 12 min; others in 1
