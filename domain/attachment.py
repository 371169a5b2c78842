"""Ticket attachments: what we accept (decided by the bytes, never by the name or the client's
Content-Type), how big, and what an uploaded filename may look like once stored."""

import re
import struct
import unicodedata
import zipfile
from typing import BinaryIO, Final

from domain.errors import UnsupportedType

MAX_BYTES: Final = 20 * 1024 * 1024  # per file

PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
PDF: Final = "application/pdf"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP: Final = "application/zip"  # only a step: a ZIP must turn out to be DOCX or XLSX
ACCEPTED: Final = (PNG, JPEG, PDF, DOCX, XLSX)

SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"%PDF-", PDF),
    (b"PK\x03\x04", ZIP),
)
SNIFF_BYTES: Final = max(len(magic) for magic, _ in SIGNATURES)

# Zip bombs: we never inflate an upload, but whoever previews it later would. Office files
# under 20 MB have a few hundred entries and inflate maybe 10-50x; refuse far beyond that.
MAX_ZIP_ENTRIES: Final = 5_000
MAX_CENTRAL_DIRECTORY: Final = 2 * 1024 * 1024  # bytes; bounds what zipfile loads in memory
MAX_UNCOMPRESSED: Final = 256 * 1024 * 1024  # declared total, bytes
MAX_RATIO: Final = 200  # per entry, for entries over RATIO_FLOOR declared bytes
RATIO_FLOOR: Final = 1024 * 1024
OFFICE_PARTS: Final[tuple[tuple[str, str], ...]] = (("word/", DOCX), ("xl/", XLSX))

FALLBACK_NAME: Final = "attachment"
MAX_FILENAME: Final = 255  # characters, the column's width
# Bidirectional overrides make "evil\u202egnp.exe" display as "evilexe.png".
_BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def sniff(head: bytes) -> str | None:
    """The type the first bytes announce (ZIP for any local-file-header), or None."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def content_type_of(file: BinaryIO) -> str:
    """The accepted content type of a whole upload; UnsupportedType for anything else.
    A ZIP counts only as DOCX or XLSX: it must have `[Content_Types].xml` and `word/` resp.
    `xl/` entries, and declare sane sizes."""
    file.seek(0)
    kind = sniff(file.read(SNIFF_BYTES))
    if kind is None:
        raise UnsupportedType()
    return office_type(file) if kind == ZIP else kind


def office_type(file: BinaryIO) -> str:
    _check_central_directory(file)
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            entries = [(e.filename, e.file_size, e.compress_size) for e in archive.infolist()]
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
        struct.error,
    ):
        raise UnsupportedType("The ZIP archive is damaged.") from None
    return office_type_of_entries(entries)


def office_type_of_entries(entries: list[tuple[str, int, int]]) -> str:
    """DOCX or XLSX from the archive's (name, uncompressed size, compressed size) entries."""
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnsupportedType("The archive has too many entries.")
    if sum(size for _, size, _ in entries) > MAX_UNCOMPRESSED:
        raise UnsupportedType("The archive would inflate too much.")
    for _, size, packed in entries:
        if size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
            raise UnsupportedType("The archive would inflate too much.")
    names = {name for name, _, _ in entries}
    if "[Content_Types].xml" not in names:
        raise UnsupportedType("Only DOCX and XLSX archives are accepted.")
    kinds = {
        kind for prefix, kind in OFFICE_PARTS if any(name.startswith(prefix) for name in names)
    }
    if len(kinds) != 1:
        raise UnsupportedType("Only DOCX and XLSX archives are accepted.")
    return kinds.pop()


def _check_central_directory(file: BinaryIO) -> None:
    """Refuse oversized central directories before zipfile reads them into memory. Finds the
    end-of-central-directory record the way zipfile does; ZIP64 archives fail the bounds."""
    file.seek(0, 2)
    length = file.tell()
    file.seek(max(0, length - (22 + 65_535)))
    tail = file.read()
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise UnsupportedType("The ZIP archive is damaged.")
    entries, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries > MAX_ZIP_ENTRIES or directory_size > MAX_CENTRAL_DIRECTORY:
        raise UnsupportedType("The archive has too many entries.")


def sanitize_filename(name: str | None) -> str:
    """The name to keep: its last path component (`/` or `\\`), without control or bidi
    characters and leading dots or spaces, at most 255 characters (the extension kept);
    "attachment" when nothing is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        c for c in name if unicodedata.category(c) not in ("Cc", "Cs") and c not in _BIDI
    )
    name = name.lstrip(". \t").rstrip(" \t")
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) < 20:
            name = stem[: MAX_FILENAME - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_FILENAME]
    return name or FALLBACK_NAME


_UNSAFE_ASCII: Final = re.compile(r"[^A-Za-z0-9 ._()+,=@!#$&~-]+")


def ascii_fallback(name: str) -> str:
    """An ASCII-only stand-in for a stored name (for `filename=` in Content-Disposition):
    accents dropped, anything else unsafe replaced by `_`, the extension kept."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""

    def to_ascii(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        return _UNSAFE_ASCII.sub("_", plain).strip(" _")

    stem, extension = to_ascii(stem).lstrip("."), to_ascii(extension)
    if not any(c.isalnum() for c in stem):  # nothing recognisable left of the name
        stem = FALLBACK_NAME
    return f"{stem}.{extension}" if extension else stem
