"""Attachment bytes on disk, one flat folder of random names. Uploads are spooled to a temp
file in the same folder and renamed into place, so a stored file is always complete.
Everything here blocks: call it through a thread pool from async code."""

import hashlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".upload-"
_KEY = re.compile(r"[0-9a-f]{64}")


class TempUpload:
    """An upload being received: written, counted and hashed as it arrives."""

    def __init__(self, file: BinaryIO, path: Path) -> None:
        self.file = file
        self.path = path
        self.size = 0
        self._sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)
        self._sha256.update(data)

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def start(self) -> TempUpload:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)  # mode 0600
        return TempUpload(os.fdopen(fd, "w+b"), Path(name))

    def keep(self, upload: TempUpload) -> str:
        """Make the upload durable under a new random key; returns the key."""
        upload.file.flush()
        os.fsync(upload.file.fileno())
        upload.file.close()
        key = secrets.token_hex(32)
        os.replace(upload.path, self.path(key))
        return key

    def discard(self, upload: TempUpload, key: str | None = None) -> None:
        """Remove whatever an upload left: its temp file and, once kept, the stored file."""
        upload.discard()
        if key is not None:
            self.delete(key)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):  # keys come from our database, but never trust a path
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key
