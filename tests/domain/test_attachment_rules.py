"""Attachment rules (domain/attachment.py): type sniffing, the ZIP check, filenames. Pure."""

import io
import zipfile

import pytest

from domain import attachment
from domain.attachment import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    ZIP,
    ascii_fallback,
    content_type_of,
    office_type_of_entries,
    sanitize_filename,
    sniff,
)
from domain.errors import UnsupportedType
from tests import attachment_samples as samples


def detect(data: bytes) -> str:
    return content_type_of(io.BytesIO(data))


class TestSniff:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (samples.png(), PNG),
            (samples.jpeg(), JPEG),
            (samples.pdf(), PDF),
            (samples.docx(), ZIP),
            (samples.xlsx(), ZIP),
        ],
    )
    def test_known_signatures(self, data, expected):
        assert sniff(data[: attachment.SNIFF_BYTES]) == expected

    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"\x89PNG",
            b"\xff\xd8",
            b"%PD",
            samples.ELF,
            samples.WINDOWS_EXE,
            samples.SHELL_SCRIPT,
            samples.HTML,
            b"GIF89a",
            b"PK\x05\x06" + bytes(18),
        ],
    )
    def test_everything_else_is_unknown(self, data):
        assert sniff(data[: attachment.SNIFF_BYTES]) is None


class TestContentTypeOf:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (samples.png(), PNG),
            (samples.jpeg(), JPEG),
            (samples.pdf(), PDF),
            (samples.docx(), DOCX),
            (samples.xlsx(), XLSX),
        ],
    )
    def test_accepted_files(self, data, expected):
        assert detect(data) == expected

    def test_reads_from_the_start_whatever_the_position(self):
        file = io.BytesIO(samples.docx())
        file.seek(0, 2)
        assert content_type_of(file) == DOCX

    @pytest.mark.parametrize(
        "data",
        [
            samples.ELF,
            samples.WINDOWS_EXE,
            samples.SHELL_SCRIPT,
            samples.HTML,
            b"",
            b"\x00" + samples.png(),  # the signature must be at the very start
        ],
    )
    def test_refused_files(self, data):
        with pytest.raises(UnsupportedType):
            detect(data)

    @pytest.mark.parametrize(
        "entries",
        [
            {"word/document.xml": b"<w/>"},  # no [Content_Types].xml
            {"[Content_Types].xml": samples.CONTENT_TYPES, "ppt/slide1.xml": b"<p/>"},  # pptx
            {"[Content_Types].xml": samples.CONTENT_TYPES},
            {"[Content_Types].xml": samples.CONTENT_TYPES, "word/a.xml": b"", "xl/b.xml": b""},
            {"payload.exe": samples.WINDOWS_EXE},
            {"[Content_Types].xml": samples.CONTENT_TYPES, "wordy/document.xml": b"<w/>"},
        ],
    )
    def test_zips_that_are_not_docx_or_xlsx(self, entries):
        with pytest.raises(UnsupportedType):
            detect(samples.zip_of(entries))

    def test_damaged_zip(self):
        with pytest.raises(UnsupportedType):
            detect(b"PK\x03\x04" + bytes(200))
        truncated = samples.docx()[:-30]  # the end-of-central-directory record cut off
        with pytest.raises(UnsupportedType):
            detect(truncated)

    def test_zip_bomb_by_ratio(self):
        data = samples.zip_bomb()
        assert len(data) < 100_000
        with pytest.raises(UnsupportedType, match="inflate"):
            detect(data)

    def test_too_many_entries(self):
        entries = {"[Content_Types].xml": samples.CONTENT_TYPES}
        entries |= {f"word/{i}.xml": b"" for i in range(attachment.MAX_ZIP_ENTRIES + 1)}
        with pytest.raises(UnsupportedType, match="entries"):
            detect(samples.zip_of(entries))

    def test_stored_office_file_is_fine(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("[Content_Types].xml", samples.CONTENT_TYPES)
            archive.writestr("xl/workbook.xml", b"<workbook/>" * 1000)
        assert detect(buffer.getvalue()) == XLSX


class TestOfficeTypeOfEntries:
    BASE = [("[Content_Types].xml", 100, 50), ("word/document.xml", 5000, 1000)]

    def test_plain_docx(self):
        assert office_type_of_entries(self.BASE) == DOCX

    def test_declared_total_over_the_limit(self):
        big = attachment.MAX_UNCOMPRESSED // 4 + 1
        entries = self.BASE + [(f"word/media/{i}.png", big, big) for i in range(4)]
        with pytest.raises(UnsupportedType):
            office_type_of_entries(entries)

    def test_ratio_only_counts_for_big_entries(self):
        small = attachment.RATIO_FLOOR  # highly compressible but small: fine
        assert office_type_of_entries(self.BASE + [("word/x.xml", small, 1)]) == DOCX
        big = attachment.RATIO_FLOOR + 1
        with pytest.raises(UnsupportedType):
            office_type_of_entries(self.BASE + [("word/x.xml", big, 0)])
        assert (
            office_type_of_entries(
                self.BASE + [("word/x.xml", big, big // attachment.MAX_RATIO + 1)]
            )
            == DOCX
        )


class TestSanitizeFilename:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("report.pdf", "report.pdf"),
            ("../../etc/passwd.png", "passwd.png"),
            ("..\\..\\windows\\win.ini.png", "win.ini.png"),
            ("C:\\Users\\me\\照片.jpg", "照片.jpg"),
            ("/absolute/path/x.pdf", "x.pdf"),
            (".htaccess", "htaccess"),
            ("...hidden.png", "hidden.png"),
            ("a\x00b\r\nc\x7f.png", "abc.png"),
            ("evil\u202egnp.exe", "evilgnp.exe"),
            ("  spaced  .pdf  ", "spaced  .pdf"),
            ("季度报告（终版）.xlsx", "季度报告（终版）.xlsx"),
            ("", "attachment"),
            (None, "attachment"),
            ("..", "attachment"),
            ("../", "attachment"),
            ("\x01\x02", "attachment"),
            ("dir/", "attachment"),
        ],
    )
    def test_cases(self, raw, expected):
        assert sanitize_filename(raw) == expected

    def test_long_names_keep_their_extension(self):
        name = sanitize_filename("报" * 300 + ".docx")
        assert len(name) == 255 and name.endswith(".docx") and name.startswith("报")
        assert len(sanitize_filename("x" * 300)) == 255

    def test_idempotent(self):
        for raw in ("../../a.png", ".x", "a" * 400 + ".pdf", "文件\x00.pdf"):
            once = sanitize_filename(raw)
            assert sanitize_filename(once) == once


class TestAsciiFallback:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("report.pdf", "report.pdf"),
            ("季度报告.xlsx", "attachment.xlsx"),
            ("Résumé final.docx", "Resume final.docx"),
            ('say "hi"; x=1.png', "say _hi_ x=1.png"),
            ("back\\slash.png", "back_slash.png"),
            ("报告-2024.pdf", "-2024.pdf"),
            ("照片", "attachment"),
            ("季度报告 (终版).docx", "attachment.docx"),
            ("attachment", "attachment"),
        ],
    )
    def test_cases(self, name, expected):
        assert ascii_fallback(name) == expected

    @pytest.mark.parametrize("name", ["季度报告.xlsx", 'a"b\\c;d\r\n.png', "x" * 255, "é" * 10])
    def test_output_is_header_safe(self, name):
        value = ascii_fallback(name)
        assert value.isascii() and value.isprintable() and value
        assert not set(value) & set('"\\;\r\n')
