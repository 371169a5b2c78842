"""Custom field definitions and value validation (domain/custom_field.py): pure, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.custom_field import Definition, FieldType, check_definition, validate_values
from domain.errors import Invalid

DEFS = {
    "note": Definition("note", FieldType.TEXT),
    "budget": Definition("budget", FieldType.NUMBER),
    "signed_on": Definition("signed_on", FieldType.DATE),
    "level": Definition("level", FieldType.ENUM, options=("高", "中", "低")),
    "vip": Definition("vip", FieldType.BOOL),
}


def errors_of(definitions, current, changes) -> list[dict[str, str]]:
    with pytest.raises(Invalid) as caught:
        validate_values(definitions, current, changes)
    return caught.value.extensions["errors"]


class TestCheckDefinition:
    @pytest.mark.parametrize("key", ["a", "customer_level", "x1", "a" * 40, "a_b_9"])
    def test_good_keys(self, key):
        assert check_definition(key, FieldType.TEXT, []) == []

    @pytest.mark.parametrize(
        "key", ["Bad Key", "1abc", "_a", "A", "a-b", "a" * 41, "", "é", "a\n", "a b"]
    )
    def test_bad_keys(self, key):
        assert [e.split(":")[0] for e in check_definition(key, FieldType.TEXT, [])] == ["key"]

    def test_enum_needs_options(self):
        assert [e.split(":")[0] for e in check_definition("k", FieldType.ENUM, [])] == ["options"]
        assert check_definition("k", FieldType.ENUM, ["a"]) == []

    @pytest.mark.parametrize(
        "type_", [FieldType.TEXT, FieldType.NUMBER, FieldType.DATE, FieldType.BOOL]
    )
    def test_only_enums_have_options(self, type_):
        assert [e.split(":")[0] for e in check_definition("k", type_, ["a"])] == ["options"]
        assert check_definition("k", type_, []) == []

    def test_duplicate_options(self):
        assert [
            e.split(":")[0] for e in check_definition("k", FieldType.ENUM, ["a", "b", "a"])
        ] == ["options"]

    def test_every_problem_at_once(self):
        assert len(check_definition("Bad", FieldType.ENUM, [])) == 2


class TestTextValues:
    def test_text_is_kept(self):
        assert validate_values(DEFS, {}, {"note": "你好 world"}) == {"note": "你好 world"}

    def test_up_to_2000_characters(self):
        assert validate_values(DEFS, {}, {"note": "x" * 2000})["note"] == "x" * 2000
        assert errors_of(DEFS, {}, {"note": "x" * 2001})[0]["field"] == "custom_fields.note"

    @pytest.mark.parametrize("value", [1, 1.5, True, ["a"], {"a": "b"}])
    def test_non_text_is_refused(self, value):
        assert errors_of(DEFS, {}, {"note": value}) == [
            {"field": "custom_fields.note", "message": "must be text"}
        ]

    @pytest.mark.parametrize("value", ["a\x00b", "\x00"])
    def test_nul_is_refused(self, value):
        """PostgreSQL can store NUL neither in text nor in JSONB."""
        assert errors_of(DEFS, {}, {"note": value})[0]["field"] == "custom_fields.note"


class TestNumberValues:
    @pytest.mark.parametrize(
        ("value", "stored"),
        [
            (0.1, "0.1"),
            (42, "42"),
            (-7, "-7"),
            ("19.99", "19.99"),
            ("0.10", "0.10"),
            (10**25, "10000000000000000000000000"),
            (1e-7, "1E-7"),
            ("1e3", "1E+3"),
            (0.30000000000000004, "0.30000000000000004"),
            (" 5 ", "5"),
        ],
    )
    def test_stored_as_an_exact_decimal_string(self, value, stored):
        result = validate_values(DEFS, {}, {"budget": value})["budget"]
        assert result == stored and isinstance(result, str)
        assert Decimal(result) == Decimal(str(value).strip())

    def test_a_float_is_not_widened_to_its_binary_expansion(self):
        assert validate_values(DEFS, {}, {"budget": 0.1})["budget"] != str(Decimal(0.1))

    @pytest.mark.parametrize(
        "value",
        [
            True,
            False,
            "abc",
            "",
            "1,000",
            "NaN",
            "nan",
            "sNaN",
            "Infinity",
            "-inf",
            float("inf"),
            float("nan"),
            [1],
            {"v": 1},
        ],
    )
    def test_not_a_finite_number_is_refused(self, value):
        assert [e["field"] for e in errors_of(DEFS, {}, {"budget": value})] == [
            "custom_fields.budget"
        ]

    @given(st.decimals(allow_nan=False, allow_infinity=False))
    def test_any_finite_decimal_string_round_trips(self, number):
        assert Decimal(validate_values(DEFS, {}, {"budget": str(number)})["budget"]) == number

    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_any_float_keeps_its_shortest_repr(self, number):
        assert validate_values(DEFS, {}, {"budget": number})["budget"] == str(Decimal(repr(number)))


class TestDateValues:
    @pytest.mark.parametrize("value", ["2024-02-29", "1999-12-31", "2026-01-01"])
    def test_iso_dates(self, value):
        assert validate_values(DEFS, {}, {"signed_on": value}) == {"signed_on": value}

    @pytest.mark.parametrize(
        "value",
        ["2024-13-01", "2023-02-29", "2024-00-10", "yesterday", "", 20240101, True, ["2024-01-01"]],
    )
    def test_not_a_date_is_refused(self, value):
        assert errors_of(DEFS, {}, {"signed_on": value}) == [
            {"field": "custom_fields.signed_on", "message": "must be a date YYYY-MM-DD"}
        ]


class TestEnumValues:
    def test_an_option(self):
        assert validate_values(DEFS, {}, {"level": "中"}) == {"level": "中"}

    @pytest.mark.parametrize("value", ["极高", "", " 中", 1, True, ["中"], {"中": 1}])
    def test_anything_else_is_refused(self, value):
        assert [e["field"] for e in errors_of(DEFS, {}, {"level": value})] == [
            "custom_fields.level"
        ]


class TestBoolValues:
    @pytest.mark.parametrize("value", [True, False])
    def test_booleans_are_kept(self, value):
        assert validate_values(DEFS, {}, {"vip": value}) == {"vip": value}

    @pytest.mark.parametrize("value", ["yes", "true", 1, 0, "", [True]])
    def test_truthy_things_are_not_booleans(self, value):
        assert errors_of(DEFS, {}, {"vip": value}) == [
            {"field": "custom_fields.vip", "message": "must be true or false"}
        ]


class TestMerge:
    def test_changes_merge_into_current_key_by_key(self):
        current = {"note": "old", "vip": True}
        assert validate_values(DEFS, current, {"note": "new", "budget": 1}) == {
            "note": "new",
            "vip": True,
            "budget": "1",
        }

    def test_null_removes_a_key(self):
        assert validate_values(DEFS, {"note": "x", "vip": False}, {"vip": None}) == {"note": "x"}

    def test_null_for_an_absent_key_is_fine(self):
        assert validate_values(DEFS, {}, {"note": None}) == {}

    def test_current_is_not_mutated(self):
        current = {"note": "x"}
        validate_values(DEFS, current, {"note": None, "vip": True})
        assert current == {"note": "x"}

    def test_no_changes_keeps_current(self):
        assert validate_values(DEFS, {"vip": True}, {}) == {"vip": True}


class TestUnknownKeys:
    def test_unknown_key_is_refused(self):
        assert errors_of(DEFS, {}, {"colour": "red"}) == [
            {"field": "custom_fields.colour", "message": "unknown custom field"}
        ]

    def test_even_when_null(self):
        assert errors_of(DEFS, {}, {"colour": None})[0]["field"] == "custom_fields.colour"

    def test_no_definitions_at_all(self):
        assert errors_of({}, {}, {"note": "x"})[0]["field"] == "custom_fields.note"


class TestRequired:
    DEFS = {
        **DEFS,
        "region": Definition("region", FieldType.TEXT, required=True),
        "tier": Definition("tier", FieldType.ENUM, options=("a",), required=True),
    }

    def test_missing_required_fields_are_each_reported(self):
        assert sorted(e["field"] for e in errors_of(self.DEFS, {}, {})) == [
            "custom_fields.region",
            "custom_fields.tier",
        ]
        assert errors_of(self.DEFS, {}, {"tier": "a"}) == [
            {"field": "custom_fields.region", "message": "required"}
        ]

    def test_blank_text_does_not_count(self):
        assert (
            errors_of(self.DEFS, {}, {"region": "", "tier": "a"})[0]["field"]
            == "custom_fields.region"
        )

    def test_present_passes(self):
        assert validate_values(self.DEFS, {}, {"region": "华东", "tier": "a"}) == {
            "region": "华东",
            "tier": "a",
        }

    def test_a_stored_value_satisfies_it(self):
        current = {"region": "华东", "tier": "a"}
        assert validate_values(self.DEFS, current, {"note": "x"})["region"] == "华东"

    def test_null_cannot_remove_a_required_value(self):
        current = {"region": "华东", "tier": "a"}
        assert errors_of(self.DEFS, current, {"region": None}) == [
            {"field": "custom_fields.region", "message": "required"}
        ]

    def test_a_false_bool_is_a_value(self):
        defs = {"ok": Definition("ok", FieldType.BOOL, required=True)}
        assert validate_values(defs, {}, {"ok": False}) == {"ok": False}


class TestAllErrorsAtOnce:
    def test_every_bad_key_is_reported(self):
        errors = errors_of(
            DEFS,
            {},
            {"note": 1, "budget": "x", "signed_on": "x", "level": "x", "vip": "x", "ghost": 1},
        )
        assert sorted(e["field"] for e in errors) == sorted(
            f"custom_fields.{k}" for k in ("note", "budget", "signed_on", "level", "vip", "ghost")
        )

    def test_the_invalid_error_is_a_422_validation(self):
        with pytest.raises(Invalid) as caught:
            validate_values(DEFS, {}, {"budget": "x"})
        assert caught.value.code == "validation"
        assert "custom_fields.budget" in caught.value.detail
