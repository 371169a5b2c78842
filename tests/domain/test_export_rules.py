"""How an export turns a list's items into the rows people read: the same row whether the
item is the list's JSON (a dict) or a row of the export view (a tuple with its fields)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.imports import exports

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLS = [
    *exports.CUSTOMERS,
    *exports.custom_columns(
        [type("Definition", (), {"key": "region_code", "label_zh": "片区", "label_en": "Area"})()]
    ),
]
ITEM = {
    "code": "C202612000001",
    "name": "上海甲科技有限公司",
    "kind": "organization",
    "stage": "no_such_stage",
    "grade": "A",
    "owner_id": 7,
    "tags": ["重点", "华东"],
    "last_contact_at": datetime(2026, 12, 5, 20, 30, tzinfo=UTC),
    "next_follow_up_on": date(2026, 12, 9),
    "cumulative_amount": Decimal("1234.50"),
    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    "custom_fields": {"region_code": "E1"},
}


def test_a_dict_and_a_tuple_give_the_same_row():
    fields = list(dict.fromkeys([c.key.partition(".")[0] for c in COLS]))
    # the export view joins the tags' names itself
    as_tuple = tuple("重点、华东" if f == "tags" else ITEM.get(f) for f in fields)
    from_dict = exports.formatter(COLS, "zh", SHANGHAI, {7: "王经理"}, {})(ITEM)
    from_tuple = exports.formatter(COLS, "zh", SHANGHAI, {7: "王经理"}, {}, fields)(as_tuple)
    assert from_dict == from_tuple
    row = dict(zip([c.zh for c in COLS], from_dict, strict=True))
    assert row["客户类型"] == "企业" and row["客户阶段"] == "no_such_stage"  # kept as it is
    assert row["负责人"] == "王经理" and row["标签"] == "重点、华东"
    assert row["最近联系"] == datetime(2026, 12, 6, 4, 30)  # Shanghai, as a naive local time
    assert row["下次跟进"] == date(2026, 12, 9) and row["创建时间"] == datetime(2026, 1, 1, 8)
    assert row["累计金额（元）"] == Decimal("1234.50") and row["片区"] == "E1"
    assert row["客户来源"] is None and row["身份证号"] is None


def test_rows_lacking_a_column_are_refused_when_the_formatter_is_made():
    with pytest.raises(KeyError):
        exports.formatter(COLS, "zh", SHANGHAI, {}, {}, ["code", "name"])


def test_an_unknown_owner_is_its_id_and_english_has_english_words():
    row = exports.formatter(COLS, "en", SHANGHAI, {}, {})(ITEM)
    values = dict(zip([c.en for c in COLS], row, strict=True))
    assert (
        values["Owner"] == "7"
        and values["Kind"] == exports.c.KIND_CHOICES["organization"][1]
        and values["Grade"] == exports.c.GRADE_CHOICES["A"][1]
    )
