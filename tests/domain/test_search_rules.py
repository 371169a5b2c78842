"""domain/search: normalisation, query parsing, the match rule and ranking tiers, and the
property the index rests on: a document that matches a query in a field has every gram the
query asks of that field, so the gram pre-filter never loses a match."""

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.search import rules
from domain.search.normalize import name_sort_key, normalize, phone_forms, pinyin, query_digits


class TestNormalize:
    def test_nfkc_case_and_spaces(self):
        assert normalize("  ＡＢＣ　科技\t有限 ") == "abc 科技 有限"

    def test_phone_queries(self):
        assert query_digits("+86 138-1234") == "1381234"
        assert query_digits("0086 13812345678") == "13812345678"
        assert query_digits("(010) 8888-6666") == "01088886666"
        assert query_digits("杭州") is None and query_digits("C2026") is None

    def test_stored_phone_forms(self):
        assert phone_forms("+8613812345678") == ["13812345678"]
        assert phone_forms("+861088886666") == ["1088886666", "01088886666"]
        assert phone_forms("+16502530000") == ["16502530000"]

    def test_pinyin(self):
        assert pinyin("杭州明达电子") == ("hangzhoumingdadianzi", "hzmddz")
        assert pinyin("ACME") is None

    def test_names_sort_in_pinyin_order(self):
        names = ["章子", "ACME 公司", "阿里", "先锋", "张三", "西安电子", "北京", "Zeta", "张"]
        assert sorted(names, key=name_sort_key) == [
            "阿里",
            "ACME 公司",
            "北京",
            "西安电子",
            "先锋",
            "Zeta",
            "张",
            "张三",
            "章子",
        ]
        assert name_sort_key("ＡＢＣ 科技") == "abc ke ji\tabc 科技"


def doc(name="杭州明达电子", **contact):
    contacts = [rules.ContactText(**{"name": "陈晓明", **contact})]
    return rules.document(
        rules.CustomerText(
            name=name,
            code="C202605000123",
            credit_code="91440300MA5F0XXXX1",
            contacts=contacts,
            address="浙江省杭州市西湖区",
            id_number="110101199003070011",
        )
    )


class TestMatch:
    def test_tiers(self):
        d = doc(mobile="+8613812345678", email="chen@example.com")
        assert rules.match(d, rules.parse("C202605000123")).tier is rules.Tier.EXACT
        assert rules.match(d, rules.parse("13812345678")).tier is rules.Tier.EXACT
        assert rules.match(d, rules.parse("杭州")).tier is rules.Tier.NAME_PREFIX
        assert rules.match(d, rules.parse("明达")).tier is rules.Tier.NAME
        assert rules.match(d, rules.parse("晓明")).tier is rules.Tier.CONTACT
        assert rules.match(d, rules.parse("1234 5678")).tier is rules.Tier.CONTACT
        assert rules.match(d, rules.parse("hzmd")).tier is rules.Tier.PINYIN
        assert rules.match(d, rules.parse("西湖区")).tier is rules.Tier.OTHER
        assert rules.match(d, rules.parse("19900307")).tier is rules.Tier.OTHER

    def test_length_rules(self):
        d = doc()
        assert rules.match(d, rules.parse("a")) is None  # one Latin letter: nothing
        assert rules.match(d, rules.parse("西湖")) is None  # address from 3 characters
        assert rules.PHONES not in rules.parse("123").fields  # phones from 4 digits

    def test_hidden_fields_do_not_match(self):
        d = doc(mobile="+8613812345678")
        q = rules.parse("110101199003070011")
        assert rules.match(d, q) is not None
        assert rules.match(d, q, rules.hidden_fields("agent")) is None
        assert rules.match(d, rules.parse("12345678"), rules.hidden_fields("supervisor")) is None
        assert rules.match(d, rules.parse("12345678"), rules.hidden_fields("agent")) is not None

    def test_pinyin_span_maps_back_to_characters(self):
        d = doc()
        m = rules.match(d, rules.parse("mingda"))
        assert rules.name_span("杭州明达电子", m) == (2, 4)


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E00 + 300)
NAMES = st.text(alphabet=st.one_of(CJK, st.sampled_from("abcXYZ 12-")), min_size=1, max_size=12)
DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=10)


@settings(max_examples=300, deadline=None)
@given(name=NAMES, contact=NAMES, mobile=DIGITS, data=st.data())
def test_a_match_always_has_its_grams(name, contact, mobile, data):
    email = f"li{mobile}@example.cn"
    d = rules.document(
        rules.CustomerText(
            name=name,
            code="C202605000001",
            contacts=[rules.ContactText(name=contact, mobile="+861" + mobile, email=email)],
        )
    )
    keys = set(rules.grams(d))
    source = data.draw(
        st.sampled_from(
            [
                name,
                contact,
                "1" + mobile,
                rules.pinyin(name)[1] if rules.pinyin(name) else name,
                email,
                "C202605000001",
            ]
        )
    )
    text = normalize(source)
    if not text:
        return
    whole = data.draw(st.booleans())  # the whole value (exact tier) or any part of it
    start = 0 if whole else data.draw(st.integers(0, len(text) - 1))
    end = len(text) if whole else data.draw(st.integers(start + 1, len(text)))
    q = rules.parse(text[start:end])
    m = rules.match(d, q)
    for field in rules.FIELDS:
        if field not in q.fields:
            continue
        for how in ("exact", "prefix", "part"):
            if rules._holds(d[field], rules.needle(q, field), how):
                assert set(q.grams_for(field, how)) <= keys, (field, how, q)
    if m is not None:
        how = {rules.Tier.EXACT: "exact", rules.Tier.NAME_PREFIX: "prefix"}.get(m.tier, "part")
        assert set(q.grams_for(m.field, how)) <= keys
