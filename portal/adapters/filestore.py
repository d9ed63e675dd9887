"""The private file store: client files never go to Reflex's public upload folder.

``LocalFileStore`` keeps files under ``data/files/`` (outside anything the web server serves), named
by server-made random keys. Writes go to a temporary file, are fsynced, hashed and renamed into
place, so a crash leaves either a complete file or nothing (plus a temp file a sweep removes).

Files still to be processed (photos as received, with their EXIF) wait in ``held/``, outside the
store's own key space: ``open`` and ``exists`` never see them, so they cannot be served.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from portal.config import get_settings

KEY_RE = re.compile(r"^[0-9a-f]{32}$")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class FileStore(Protocol):
    def put(self, chunks: Iterable[bytes]) -> StoredFile: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class LocalFileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):  # fullmatch: "$" would allow a trailing "\n"
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def put(self, chunks: Iterable[bytes]) -> StoredFile:
        key = secrets.token_hex(16)
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.root / "tmp" / f"{key}.part"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            with open(tmp, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def adopt(self, path: Path, *, size: int, sha256: str) -> StoredFile:
        """Move an already written and fsynced file (on the same file system) into the store: no copy."""
        return self._move_in(path, self._path, size, sha256)

    def hold(self, path: Path, *, size: int, sha256: str) -> StoredFile:
        """Move an already written and fsynced file into the holding area (``held``), under a new key."""
        return self._move_in(path, self.held, size, sha256)

    @staticmethod
    def _move_in(path: Path, place, size: int, sha256: str) -> StoredFile:
        key = secrets.token_hex(16)
        target = place(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return StoredFile(key=key, size=size, sha256=sha256)

    def held(self, key: str, *, claimed: bool = False) -> Path:
        """Where a held file waits; ``claimed``: where it is while a worker processes it."""
        self._path(key)  # the same key check
        return self.root / "held" / (f"{key}.claimed" if claimed else key)

    def claim(self, key: str) -> Path | None:
        """Take a held file for processing: renamed to its claimed name, its time set to now (the sweep's lease).
        The rename is atomic, so of two workers only one gets it; None for the other, or when it is gone."""
        try:
            os.utime(self.held(key))
            os.replace(self.held(key), self.held(key, claimed=True))
        except FileNotFoundError:
            return None
        return self.held(key, claimed=True)

    def put_bytes(self, data: bytes) -> StoredFile:
        return self.put([data])

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def iter_chunks(self, key: str) -> Iterator[bytes]:
        with self.open(key) as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        """Remove a file, stored or held (claimed or not)."""
        for path in (self._path(key), self.held(key), self.held(key, claimed=True)):
            path.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


@functools.cache
def get_file_store() -> LocalFileStore:
    return LocalFileStore(get_settings().data_dir / "files")
