from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.validation import (
    InvalidValue,
    birthday_from_id_number,
    format_customer_code,
    gender_from_id_number,
    mask_email,
    mask_id_number,
    mask_phone,
    mask_text,
    normalize_credit_code,
    normalize_email,
    normalize_id_number,
    normalize_phone,
)

# Check digits are recomputed here from the published standards rather than
# through stdnum, so the tests do not simply trust the library under test.

ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
ID_CHECK_CHARS = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def id_check_char(prefix17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(prefix17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def uscc_check_char(prefix17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(prefix17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def test_test_helpers_match_hand_computed_values():
    assert ID_WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    # 1*7+1*9+0+1*5+0+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0+0+2*2 = 167; 167 % 11 = 2 -> "X"
    assert id_check_char("11010519491231002") == "X"
    assert uscc_check_char("91110000600037341") == "L"


# --- InvalidValue ---------------------------------------------------------------------------


def test_invalid_value_carries_code_and_message():
    err = InvalidValue("invalid-phone", "This is not a valid phone number.")
    assert isinstance(err, ValueError)
    assert err.code == "invalid-phone"
    assert err.message == "This is not a valid phone number."
    assert str(err) == "This is not a valid phone number."


# --- unified social credit code -------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341L",  # example used in python-stdnum's documentation
        "914403001922038216",  # Huawei Technologies Co., Ltd. (published)
        "91440300708461136T",  # Shenzhen Tencent Computer Systems Co., Ltd. (published)
        "91330100799655058B",  # Alibaba (China) Co., Ltd. (published)
        "91320100MA1XYE0Q0F",  # computed: letters in the organisation part
        "92440300L12345678R",  # computed: individual business (92)
        "12100000400000624D",  # computed: public institution (12)
    ],
)
def test_valid_credit_codes_are_returned_unchanged(code):
    assert normalize_credit_code(code) == code


def test_credit_code_is_upper_cased_and_stripped_of_spaces():
    assert normalize_credit_code("91320100ma1xye0q0f") == "91320100MA1XYE0Q0F"
    assert normalize_credit_code(" 9 1 110000 600037341l ") == "91110000600037341L"


def test_full_width_credit_code_is_converted_to_ascii():
    assert normalize_credit_code("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341A",  # last char changed
        "91110000600037341M",
        "914403001922038217",
        "91440300708461136U",
    ],
)
def test_wrong_credit_code_check_digit_is_rejected(code):
    with pytest.raises(InvalidValue) as exc:
        normalize_credit_code(code)
    assert exc.value.code == "invalid-credit-code"
    assert "check digit" in exc.value.message


@pytest.mark.parametrize(
    ("code", "length"),
    [
        ("", 0),
        ("91110000600037341", 17),
        ("91110000600037341L0", 19),
        ("9111000060003734", 16),
    ],
)
def test_wrong_credit_code_length_is_rejected(code, length):
    with pytest.raises(InvalidValue) as exc:
        normalize_credit_code(code)
    assert exc.value.code == "invalid-credit-code"
    assert "18 characters" in exc.value.message
    assert f"got {length}" in exc.value.message


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_excluded_by_gb_32100_are_rejected(letter):
    prefix = "91320100MA1" + letter + "YE0Q0"
    code = prefix + "F"
    with pytest.raises(InvalidValue) as exc:
        normalize_credit_code(code)
    assert exc.value.code == "invalid-credit-code"
    assert "I, O, Z, S and V" in exc.value.message


@pytest.mark.parametrize("code", ["91110000600037341-", "9111000060003734#L", "9111000060003734.L"])
def test_credit_code_punctuation_is_rejected(code):
    with pytest.raises(InvalidValue) as exc:
        normalize_credit_code(code)
    assert exc.value.code == "invalid-credit-code"


# --- resident identity number ---------------------------------------------------------------


def test_classic_gb_11643_example_is_valid():
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_is_upper_cased():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


def test_id_number_spaces_and_full_width_digits_are_normalised():
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize_id_number("４４０３０４１９８５０６１５１２３７") == "440304198506151237"


@pytest.mark.parametrize(
    "number",
    [
        "440304198506151237",
        "320102199911084561",
        "110101200002290018",  # 29 February of a leap year
    ],
)
def test_valid_id_numbers(number):
    assert normalize_id_number(number) == number


@pytest.mark.parametrize(
    "number",
    ["110105194912310021", "11010519491231002Y", "440304198506151238", "440304198506151230"],
)
def test_wrong_id_check_digit_is_rejected(number):
    with pytest.raises(InvalidValue) as exc:
        normalize_id_number(number)
    assert exc.value.code == "invalid-id-number"
    assert "check digit" in exc.value.message or "17 digits" in exc.value.message


@pytest.mark.parametrize(
    "prefix",
    [
        "11010519900230123",  # 30 February
        "11010519000229123",  # 1900 was not a leap year
        "11010519901301123",  # month 13
        "11010519900100123",  # day 0
        "11010519900431123",  # 31 April
    ],
)
def test_impossible_birth_date_is_rejected(prefix):
    number = prefix + id_check_char(prefix)
    with pytest.raises(InvalidValue) as exc:
        normalize_id_number(number)
    assert exc.value.code == "invalid-id-number"
    assert "date" in exc.value.message


@pytest.mark.parametrize(
    ("number", "length"),
    [("", 0), ("11010519491231002", 17), ("11010519491231002X0", 19), ("110101491231002", 15)],
)
def test_wrong_id_number_length_is_rejected(number, length):
    with pytest.raises(InvalidValue) as exc:
        normalize_id_number(number)
    assert exc.value.code == "invalid-id-number"
    assert f"got {length}" in exc.value.message


@pytest.mark.parametrize(
    "number", ["1101051949123100XX", "X1010519491231002X", "11010519491231A02X"]
)
def test_letters_outside_the_check_digit_are_rejected(number):
    with pytest.raises(InvalidValue) as exc:
        normalize_id_number(number)
    assert exc.value.code == "invalid-id-number"
    assert "17 digits" in exc.value.message


@pytest.mark.parametrize(
    ("number", "birthday", "gender"),
    [
        ("11010519491231002X", date(1949, 12, 31), "female"),  # 17th digit 2
        ("440304198506151237", date(1985, 6, 15), "male"),  # 17th digit 3
        ("320102199911084561", date(1999, 11, 8), "female"),  # 17th digit 6
        ("110101200002290018", date(2000, 2, 29), "male"),  # 17th digit 1
    ],
)
def test_birthday_and_gender_from_id_number(number, birthday, gender):
    assert birthday_from_id_number(number) == birthday
    assert gender_from_id_number(number) == gender


def test_birthday_and_gender_reject_invalid_numbers():
    with pytest.raises(InvalidValue):
        birthday_from_id_number("110105194912310021")
    with pytest.raises(InvalidValue):
        gender_from_id_number("110105194912310021")


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+8613812345678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("010-12345678", "+861012345678"),
        ("(010) 1234 5678", "+861012345678"),
        ("0755-88889999", "+8675588889999"),
        ("+86 10 1234 5678", "+861012345678"),
        ("+1 415 555 2671", "+14155552671"),
        ("+852 9123 4567", "+85291234567"),
    ],
)
def test_valid_phone_numbers_become_e164(raw, e164):
    assert normalize_phone(raw) == e164


def test_phone_region_is_used_for_national_numbers():
    assert normalize_phone("(415) 555-2671", region="US") == "+14155552671"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "12345",
        "1381234567",  # mobile one digit short
        "138123456789",  # mobile one digit long
        "010-1234567",  # Beijing landline one digit short
        "+86 12345",
    ],
)
def test_invalid_phone_numbers_are_rejected(raw):
    with pytest.raises(InvalidValue) as exc:
        normalize_phone(raw)
    assert exc.value.code == "invalid-phone"


# --- email ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("Zhang.San@Example.COM", "Zhang.San@example.com"),  # local part is case-sensitive
        ("li+crm@mail.example.cn", "li+crm@mail.example.cn"),
        ("张三@example.com", "张三@example.com"),
    ],
)
def test_valid_emails_are_normalised(raw, normalized):
    assert normalize_email(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "zhangsan",
        "zhangsan@",
        "@example.com",
        "zhangsan@example",
        "a@b@example.com",
        "zhang san@example.com",
        "zhangsan@exa mple.com",
    ],
)
def test_invalid_emails_are_rejected(raw):
    with pytest.raises(InvalidValue) as exc:
        normalize_email(raw)
    assert exc.value.code == "invalid-email"
    assert exc.value.message


# --- masking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("110101199003071234", "110101********1234"),
        ("11010519491231002X", "110105********002X"),
        ("110101900307123", "110101*****7123"),  # old 15-digit number
        ("12345678901", "123456*8901"),
        ("1234567890", "**********"),  # nothing would be hidden, so hide all
        ("123456789", "*********"),
        ("", ""),
    ],
)
def test_mask_id_number(raw, masked):
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+8613812345678", "+86138****5678"),
        ("13812345678", "138****5678"),
        ("+861012345678", "+86101***5678"),
        ("+86 138-1234-5678", "+86138****5678"),
        ("+14155552671", "+1415***2671"),
        ("+85291234567", "+852912*4567"),  # 8 national digits
        ("+376312345", "+376****45"),  # 6 national digits: keep only the last 2
        ("1234567", "*****67"),
        ("", ""),
    ],
)
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("zhang.san@example.com", "z***@example.com"),
        ("a@example.com", "a***@example.com"),
        ("Li.Si@mail.example.cn", "L***@mail.example.cn"),
        ("not-an-email", "***"),
    ],
)
def test_mask_email(raw, masked):
    assert mask_email(raw) == masked


@pytest.mark.parametrize("raw", ["", "x", "北京市朝阳区建国路 88 号", "a" * 200])
def test_mask_text_hides_everything_including_length(raw):
    assert mask_text(raw) == "***"


# --- customer code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "sequence", "code"),
    [
        (2026, 5, 123, "C202605000123"),
        (2026, 1, 1, "C202601000001"),
        (2026, 12, 999_999, "C202612999999"),
        (1999, 10, 45, "C199910000045"),
    ],
)
def test_format_customer_code(year, month, sequence, code):
    assert format_customer_code(year, month, sequence) == code


@pytest.mark.parametrize(
    ("year", "month", "sequence"),
    [
        (2026, 5, 0),
        (2026, 5, -1),
        (2026, 5, 1_000_000),
        (2026, 0, 1),
        (2026, 13, 1),
        (999, 5, 1),
        (10_000, 5, 1),
    ],
)
def test_format_customer_code_rejects_out_of_range_parts(year, month, sequence):
    with pytest.raises(ValueError):
        format_customer_code(year, month, sequence)


# --- properties -------------------------------------------------------------------------------


@st.composite
def id_prefixes(draw):
    # stdnum-independent rule: any region code, any real date, any sequence.
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    sequence = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return region + born.strftime("%Y%m%d") + sequence


@given(id_prefixes())
def test_id_number_with_computed_check_digit_validates(prefix):
    number = prefix + id_check_char(prefix)
    assert normalize_id_number(number) == number
    assert normalize_id_number(number.lower()) == number
    assert birthday_from_id_number(number).strftime("%Y%m%d") == prefix[6:14]
    assert gender_from_id_number(number) == ("male" if int(prefix[16]) % 2 else "female")


@given(id_prefixes(), st.sampled_from("0123456789X"))
def test_id_number_with_any_other_check_digit_fails(prefix, check):
    if check == id_check_char(prefix):
        check = ID_CHECK_CHARS[(ID_CHECK_CHARS.index(check) + 1) % 11]
    with pytest.raises(InvalidValue) as exc:
        normalize_id_number(prefix + check)
    assert exc.value.code == "invalid-id-number"


# stdnum.cn.uscc requires the first 8 characters (department, entity type,
# region) to be digits; these are real department/type pairs from GB 32100.
USCC_DEPARTMENT_TYPES = ["11", "12", "13", "19", "31", "51", "52", "53", "59", "91", "92", "93"]


@st.composite
def credit_code_prefixes(draw):
    head = draw(st.sampled_from(USCC_DEPARTMENT_TYPES))
    region = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    organisation = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    return head + region + organisation


@given(credit_code_prefixes())
def test_credit_code_with_computed_check_char_validates(prefix):
    code = prefix + uscc_check_char(prefix)
    assert normalize_credit_code(code) == code
    assert normalize_credit_code(code.lower()) == code


@given(credit_code_prefixes(), st.sampled_from(USCC_ALPHABET + "IOZSV"))
def test_credit_code_with_any_other_check_char_fails(prefix, check):
    if check == uscc_check_char(prefix):
        check = USCC_ALPHABET[(USCC_ALPHABET.index(check) + 1) % 31]
    with pytest.raises(InvalidValue) as exc:
        normalize_credit_code(prefix + check)
    assert exc.value.code == "invalid-credit-code"


@given(st.text(min_size=11))
def test_mask_id_number_keeps_length_and_ends(value):
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert set(masked[6:-4]) == {"*"}


@given(st.text(max_size=10))
def test_mask_id_number_hides_short_values_entirely(value):
    assert mask_id_number(value) == "*" * len(value)


def test_check_digits_agree_with_stdnum_on_random_codes():
    # Our own mod-31 and mod-11 computations (fast for imports) against the reference library.
    import random

    from stdnum.cn import ric, uscc

    from domain.validation import credit_code_check_digit, id_number_check_digit

    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        body = "".join(rng.choice(alphabet) for _ in range(17))
        assert credit_code_check_digit(body) == uscc.calc_check_digit(body)
        digits = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_number_check_digit(digits) == ric.calc_check_digit(digits + "0")  # 18 long
