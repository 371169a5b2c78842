"""The e-mail copy of a notification says what the web app says: domain/notification_email.py
TEXTS against `notificationText` in frontend/src/i18n (zh-CN.ts and en.ts)."""

import re
from pathlib import Path

import pytest

from domain.notification_email import SEPARATOR, TEXTS

I18N = Path(__file__).resolve().parents[2] / "frontend" / "src" / "i18n"


def web_texts(file: str) -> dict[str, str]:
    """The notificationText block of a dictionary file, flattened (`sla_breach.resolution`),
    with i18next's {{name}} written as Python's {name}."""
    source = (I18N / file).read_text(encoding="utf-8")
    block = re.search(r"\n  notificationText: \{\n(.*?)\n  \},\n", source, re.S)
    assert block is not None, f"no notificationText in {file}"
    texts: dict[str, str] = {}
    outer = None  # the key of a nested block written over several lines
    for line in block.group(1).splitlines():
        key, _, rest = line.strip().partition(": ")
        if rest == "{":
            outer = key
            continue
        if key in ("}", "},"):
            outer = None
            continue
        nested = re.fullmatch(r"\{ (.*) \},", rest)
        if nested:
            pairs = re.findall(r"(\w+): '((?:[^'\\]|\\.)*)'", nested.group(1))
            texts.update({f"{key}.{sub}": text for sub, text in pairs})
            continue
        text = re.fullmatch(r"'((?:[^'\\]|\\.)*)',?", rest)
        assert text is not None, f"unread line in {file}: {line!r}"
        texts[f"{outer}.{key}" if outer else key] = text.group(1)
    return {k: re.sub(r"\{\{(\w+)\}\}", r"{\1}", v) for k, v in texts.items()}


@pytest.mark.parametrize(("language", "file"), [("zh-CN", "zh-CN.ts"), ("en", "en.ts")])
def test_e_mails_and_the_web_app_say_the_same(language: str, file: str) -> None:
    web = web_texts(file)
    assert web.pop("separator") == SEPARATOR[language]
    assert TEXTS[language] == web
