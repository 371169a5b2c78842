"""Text as people type it: one form for what they meant.

`clean` is applied to names, titles, tags and search keys on input: NFKC (full-width letters
and digits become ASCII, compatibility forms are folded), invisible characters (zero-width
spaces and joiners, BOMs, bidi controls, other control characters) removed, and runs of
whitespace collapsed to one space. `comparison_key` is what uniqueness compares: the cleaned
text case-folded, with letters from other scripts that look like Latin ones (Cyrillic `І`,
Greek `Ο`) replaced by those, so `VIP`, `V\u200bIP`, `ｖｉｐ` and `VІP` are one name.
"""

import re
import unicodedata

# Format characters (Cf: zero-width space/joiners, BOM, bidi marks) and controls (Cc), except the
# whitespace that the collapse below turns into a space.
_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff"
    r"\uffa0\ufff0-\ufff8]"
)
_SPACES = re.compile(r"\s+")

# Cyrillic and Greek letters that render like a Latin letter (Unicode TR39 confusables, the
# single-letter cases), after case-folding.
_LOOK_ALIKES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ӏ": "l",
        "ɡ": "g",
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ζ": "z",
        "μ": "u",
        "σ": "o",
    }
)


def clean(text: str) -> str:
    """NFKC, invisible characters removed, whitespace collapsed and trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def comparison_key(text: str) -> str:
    """The form two names are compared in for uniqueness (see the module's docstring)."""
    return clean(text).casefold().translate(_LOOK_ALIKES)
