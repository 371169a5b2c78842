"""Text normalisation shared by documents and queries: both sides go through the same
functions, so a match never depends on how something was typed."""

import functools
import re
import unicodedata
from typing import Any

from pypinyin import Style, lazy_pinyin

_SPACES = re.compile(r"\s+")
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-()./]+$")
_CJK = "\u3400-\u9fff\uf900-\ufaff"  # as is_cjk
_RUNS = re.compile(f"[{_CJK}]+|[^{_CJK}]+")  # runs of Chinese characters and of the others


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, runs of white space one
    space, trimmed. Applied to every indexed value and to every query."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def digits(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text) if ch.isascii() and ch.isdigit()
    )


def phone_forms(e164: str) -> list[str]:
    """The digit strings a stored phone number is found by: Chinese numbers without +86
    (mobiles `13812345678`; landlines also with the trunk 0, `01088886666`), others with and
    without their country code."""
    number = digits(e164)
    if number.startswith("86"):
        national = number[2:]
        mobile = len(national) == 11 and national[0] == "1" and national[1] in "3456789"
        return [national] if mobile else [national, "0" + national]
    return [number]


def query_digits(query: str) -> str | None:
    """The digits of a query typed as a phone number (digits, spaces, dashes, brackets, a
    leading + or 00 country code; +86 dropped), or None when it is not one."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not _PHONE_LIKE.match(text):
        return None
    number = digits(text)
    if text.startswith("+86") or text.startswith("0086"):
        number = number[2:] if text.startswith("+") else number[4:]
    elif text.startswith("+"):
        pass  # another country: its code stays, as stored
    return number or None


def syllables(name: str) -> list[str]:
    """One entry per character of `normalize(name)`: a Chinese character's pinyin syllable
    (the most common reading), any other character as it is, spaces dropped (empty)."""
    out: list[str] = []
    for run in _RUNS.findall(normalize(name)):
        if is_cjk(run[0]):
            out += _run_syllables(run)
        else:
            out += ["" if ch == " " else ch for ch in run]
    return out


def _one_reading_each(chars: str) -> Any:
    """pypinyin's hook for characters it has no reading of: a list keeps each one as its own
    reading (documented; its type hints say the hook returns str)."""
    return list(chars)


@functools.lru_cache(maxsize=100_000)
def _run_syllables(run: str) -> tuple[str, ...]:
    """The syllables of a run of Chinese characters. Kept: names repeat their runs (有限公司,
    科技, 上海), and pypinyin's phrase matching is most of what indexing a name costs."""
    readings = lazy_pinyin(run, style=Style.NORMAL, errors=_one_reading_each)
    return tuple(readings) if len(readings) == len(run) else tuple(run)


def pinyin(name: str) -> tuple[str, str] | None:
    """Full pinyin and initials of a name with Chinese characters (`杭州明达` → `hangzhoumingda`,
    `hzmd`); None without any. Other characters are kept as they are in both."""
    text = normalize(name)
    if not any(is_cjk(ch) for ch in text):
        return None
    parts = syllables(name)
    return "".join(parts), "".join(p[:1] for p in parts)


def name_sort_key(name: str) -> str:
    """The key that puts names in pinyin order (张三 by "zhang san", among the z's): each
    Chinese character's syllable and each run of other characters, space-separated, then a
    tab and the name itself, so homophones (张 and 章) stay grouped by character. Compared
    byte-wise (PostgreSQL: COLLATE "C"): a space sorts before every letter, so 西安 ("xi an")
    comes before 先 ("xian") as in a dictionary."""
    text = normalize(name)
    tokens: list[str] = []
    latin = ""
    for ch, syllable in zip(text, syllables(name), strict=True):
        if is_cjk(ch):
            tokens += [latin] if latin else []
            latin = ""
            tokens.append(syllable)
        elif ch == " ":
            tokens += [latin] if latin else []
            latin = ""
        else:
            latin += ch
    tokens += [latin] if latin else []
    return " ".join(tokens) + "\t" + text
