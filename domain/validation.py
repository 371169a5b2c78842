"""Validation, normalisation and masking of customer identifiers.

Pure functions: no I/O, no clock, no framework imports, so the API layer,
importers and background jobs all apply exactly the same rules.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
_REGISTRATION_AUTHORITIES = "123456789ANY"
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17-i) mod 11
_RIC_CHECK = "10X98765432"


class InvalidValue(ValueError):
    """A user-supplied value broke a validation rule.

    `code` is stable and meant for API clients and translations; `message`
    is English text for logs and developers.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def compact(value: str) -> str:
    """A code as stored: ASCII, no whitespace, upper case (before its checks)."""
    # NFKC turns full-width digits and letters (common with Chinese input
    # methods) into ASCII; whitespace is dropped because numbers are often
    # pasted in space-separated groups.
    value = unicodedata.normalize("NFKC", value)
    return "".join(value.split()).upper()


def credit_code_check_digit(code: str) -> str:
    """The 18th character of a credit code from its first 17 (GB 32100-2015, mod 31). The same
    answer as stdnum's uscc.calc_check_digit, without its per-call clean-up: an import checks
    100,000 of them."""
    # strict=False: a whole code may be passed; its 18th character has no weight
    total = sum(_USCC_VALUE[c] * w for c, w in zip(code, _USCC_WEIGHTS, strict=False))
    return _USCC_ALPHABET[-total % 31]


def id_number_check_digit(number: str) -> str:
    """The 18th character of a resident identity number from its first 17 digits (GB 11643,
    ISO 7064 mod 11-2)."""
    # strict=False: a whole number may be passed; its 18th character has no weight
    total = sum(int(d) * w for d, w in zip(number, _RIC_WEIGHTS, strict=False))
    return _RIC_CHECK[total % 11]


def normalize_credit_code(value: str) -> str:
    """Unified social credit code (GB 32100-2015): 18 characters, check digit must match.

    Spaces are removed and letters upper-cased. Returns the 18-character code.
    """
    code = compact(value)
    if len(code) != 18:
        raise InvalidValue(
            "invalid-credit-code",
            f"A unified social credit code has 18 characters, got {len(code)}.",
        )
    # uscc.validate() wants 8 leading digits, but GB 32100 lets the registration authority
    # (1st) and the organisation type (2nd) be letters: Y1 (other), N2 (farmers' coops), ...
    if (
        code[0] not in _REGISTRATION_AUTHORITIES
        or not code[2:8].isdigit()
        or any(c not in _USCC_ALPHABET for c in code)
    ):
        raise InvalidValue(
            "invalid-credit-code",
            "A unified social credit code is a registration authority (1-9, A, N or Y), a type, "
            "a 6-digit region and digits or upper-case letters other than I, O, Z, S and V.",
        )
    if code[-1] != credit_code_check_digit(code):
        raise InvalidValue(
            "invalid-credit-code",
            "The last character (check digit) of the unified social credit code does not match.",
        )
    return code


def normalize_id_number(value: str) -> str:
    """PRC resident identity number (GB 11643-1999): 18 characters, check digit, real birth date.

    Spaces are removed and a trailing 'x' is upper-cased. Returns the 18-character number.
    """
    number = compact(value)
    # ric.validate() is not used because it also rejects numbers whose region
    # code is missing from stdnum's bundled county table, which goes stale and
    # would turn away real customers.
    if len(number) != 18:
        raise InvalidValue(
            "invalid-id-number",
            f"A resident identity number has 18 characters, got {len(number)}.",
        )
    if not number[:17].isascii() or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise InvalidValue(
            "invalid-id-number",
            "A resident identity number is 17 digits followed by a digit or X.",
        )
    if number[17] != id_number_check_digit(number):
        raise InvalidValue(
            "invalid-id-number",
            "The last character (check digit) of the resident identity number does not match.",
        )
    try:
        ric.get_birth_date(number)
    except InvalidComponent:
        raise InvalidValue(
            "invalid-id-number",
            "Characters 7-14 of the resident identity number are not a real date (YYYYMMDD).",
        ) from None
    return number


def birthday_from_id_number(value: str) -> date:
    """Birth date encoded in characters 7-14 (YYYYMMDD) of a valid resident identity number."""
    return ric.get_birth_date(normalize_id_number(value))


def gender_from_id_number(value: str) -> str:
    """Gender from the 17th digit of a valid resident identity number: odd is male, even female."""
    number = normalize_id_number(value)
    return "male" if int(number[16]) % 2 == 1 else "female"


def normalize_phone(value: str, region: str = "CN") -> str:
    """A phone number that is valid for its country, in E.164 form (e.g. "+8613812345678").

    Numbers without a leading "+" or international prefix are read as numbers of `region`.
    """
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue("invalid-phone", "This does not look like a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidValue(
            "invalid-phone",
            "This is not a valid phone number; landlines need their area code.",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(value: str) -> str:
    """A syntactically valid e-mail address with its domain normalised; no DNS lookup is made."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidValue("invalid-email", str(exc)) from None


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters and star the rest; the length is preserved."""
    # At exactly 10 characters nothing would be hidden, so such values are
    # starred completely like shorter ones.
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _mask_national_digits(digits: str) -> str:
    if len(digits) < 8:
        return "*" * (len(digits) - 2) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _split_country_code(digits: str) -> tuple[str, str]:
    # Country calling codes are prefix-free and 1-3 digits long, so the first
    # known prefix is the country code even when the number itself is invalid.
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return digits[:length], digits[length:]
    return "", digits


def mask_phone(value: str) -> str:
    """Keep "+" and the country code, then the first 3 and last 4 national digits.

    With fewer than 8 national digits only the last 2 are kept. Numbers without
    "+" are treated as national numbers.
    """
    digits = "".join(ch for ch in value if ch.isascii() and ch.isdigit())
    if not value.strip().startswith("+"):
        return _mask_national_digits(digits)
    country_code, national = _split_country_code(digits)
    return "+" + country_code + _mask_national_digits(national)


def mask_email(value: str) -> str:
    """Keep the first character of the local part and the domain: "z***@example.com"."""
    # rpartition because a quoted local part may itself contain "@".
    local, at, domain = value.rpartition("@")
    if not at:
        return mask_text(value)
    # A fixed number of stars so the mask does not reveal the local part's length.
    return local[:1] + "***@" + domain


def mask_text(value: str) -> str:
    """Hide any sensitive text completely, including its length."""
    return "***"


def format_customer_code(year: int, month: int, sequence: int) -> str:
    """Customer code: "C", YYYYMM, 6-digit sequence; (2026, 5, 123) -> "C202605000123"."""
    if not 1000 <= year <= 9999:
        raise ValueError(f"year must have 4 digits, got {year}")
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"sequence must be 1..999999, got {sequence}")
    return f"C{year:04d}{month:02d}{sequence:06d}"
