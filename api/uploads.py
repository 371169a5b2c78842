"""Streaming multipart/form-data for file uploads. Starlette's form parser spools files of
any size before a route runs; this reads the body as it arrives, writes the one file field
to the attachment store, and stops as soon as the size limit is passed."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from domain.errors import Invalid, TooLarge
from persistence.attachment_store import AttachmentStore, TempUpload

if TYPE_CHECKING:  # a TypedDict its module defines for type checkers only
    from python_multipart.multipart import MultipartCallbacks

OVERHEAD = 64 * 1024  # bytes of boundaries, part headers and other fields on top of the file
MAX_PARTS = 8
MAX_HEADER_BYTES = 8 * 1024  # per part


@dataclass(frozen=True, slots=True)
class ReceivedFile:
    filename: str  # as the client sent it: sanitise before keeping it
    upload: TempUpload
    fields: dict[str, str] = field(default_factory=dict)  # the other (text) fields, if asked


class _Parts:
    """python-multipart callbacks. They run synchronously inside `parser.write`, so the
    file's bytes are only collected here and written by the caller through a thread pool."""

    def __init__(self, field: str, text_fields: frozenset[str] = frozenset()) -> None:
        self.field = field.encode()
        self.text_fields = text_fields
        self.text_name: str | None = None
        self.texts: dict[str, bytearray] = {}
        self.parts = 0
        self.header_bytes = 0
        self.header_name = self.header_value = self.disposition = b""
        self.in_file = False
        self.filename: str | None = None  # set once the file part's headers are in
        self.file_ended = self.ended = False
        self.pending: list[bytes] = []

    def callbacks(self) -> "MultipartCallbacks":
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise _malformed(self.field, "too many parts")
        self.header_bytes, self.disposition, self.in_file = 0, b"", False

    def _header(self, data: bytes) -> bytes:
        self.header_bytes += len(data)
        if self.header_bytes > MAX_HEADER_BYTES:
            raise _malformed(self.field, "part headers too long")
        return data

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += self._header(data[start:end])

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += self._header(data[start:end])

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition.decode("latin-1"))
        self.text_name = None
        if options.get(b"name") != self.field:
            name = options.get(b"name", b"").decode("latin-1")
            if name in self.text_fields and b"filename" not in options:
                self.text_name = name  # kept (bounded by OVERHEAD like every other part)
                self.texts[name] = bytearray()
            return  # another field: its bytes are ignored (and bounded by OVERHEAD)
        if self.filename is not None:
            raise _malformed(self.field, "send one file per request")
        # Header bytes came in as latin-1; browsers and httpx send the name as UTF-8.
        self.filename = options.get(b"filename", b"").decode("utf-8", "replace")
        self.in_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(data[start:end])
        elif self.text_name is not None:
            self.texts[self.text_name] += data[start:end]

    def on_part_end(self) -> None:
        if self.in_file:
            self.in_file, self.file_ended = False, True

    def on_end(self) -> None:
        self.ended = True


async def cleanup(function: Callable[..., Any], *args: Any) -> None:
    """Run blocking clean-up in the thread pool even when the request is being cancelled
    (a client gone mid-upload), so no temp file is left behind."""
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(function, *args)


def _malformed(field: bytes, message: str) -> Invalid:
    return Invalid([{"field": field.decode(), "message": message}])


async def receive_file(
    request: Request,
    store: AttachmentStore,
    *,
    field: str,
    limit: int,
    text_fields: frozenset[str] = frozenset(),
) -> ReceivedFile:
    """The file sent in form field `field`, spooled to a temp file of `store`. Raises
    TooLarge past `limit` bytes and Invalid for anything but well-formed multipart with that
    field; either way the temp file is gone."""
    media_type, params = parse_options_header(request.headers.get("content-type"))
    if media_type != b"multipart/form-data" or not params.get(b"boundary"):
        raise Invalid([{"field": field, "message": "send multipart/form-data with a file"}])
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + OVERHEAD:
        raise TooLarge(limit)  # refused before reading a byte
    parts = _Parts(field, text_fields)
    parser = MultipartParser(params[b"boundary"], parts.callbacks())
    upload: TempUpload | None = None
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + OVERHEAD:
                raise TooLarge(limit)
            parser.write(chunk)
            if parts.filename is not None and upload is None:
                upload = await run_in_threadpool(store.start)
            data = b"".join(parts.pending)
            parts.pending.clear()
            if data:
                assert upload is not None  # file data comes after the part's filename
                if upload.size + len(data) > limit:
                    raise TooLarge(limit)
                await run_in_threadpool(upload.write, data)
        parser.finalize()
        if upload is None or not (parts.file_ended and parts.ended):
            raise Invalid([{"field": field, "message": "missing, or the body was cut off"}])
    except BaseException as exc:
        if upload is not None:
            await cleanup(upload.discard)
        if isinstance(exc, FormParserError):
            raise _malformed(parts.field, "malformed multipart body") from None
        raise
    texts = {name: value.decode("utf-8", "replace") for name, value in parts.texts.items()}
    return ReceivedFile(parts.filename or "", upload, texts)
