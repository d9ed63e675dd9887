"""The private file store: round trip, hashes, refused keys, and nothing left behind by a failed write."""

from __future__ import annotations

import hashlib
import os

import pytest

from portal.adapters.filestore import CHUNK, KEY_RE, LocalFileStore, get_file_store


@pytest.fixture
def store(tmp_path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


def files_under(path) -> list:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def test_put_open_delete_round_trip(store):
    data = os.urandom(3 * CHUNK + 17)  # spans several read chunks
    chunks = [data[i:i + 100_000] for i in range(0, len(data), 100_000)]
    stored = store.put(iter(chunks))
    assert KEY_RE.match(stored.key) and len(stored.key) == 32
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert store.exists(stored.key)
    with store.open(stored.key) as fh:
        assert fh.read() == data
    assert b"".join(store.iter_chunks(stored.key)) == data
    assert max(len(c) for c in store.iter_chunks(stored.key)) <= CHUNK
    assert files_under(store.root) == [store.root / stored.key[:2] / stored.key]  # no temp file left
    store.delete(stored.key)
    assert not store.exists(stored.key)
    store.delete(stored.key)  # deleting twice is fine
    with pytest.raises(FileNotFoundError):
        store.open(stored.key)


def test_empty_file_and_put_bytes(store):
    empty = store.put([])
    assert (empty.size, empty.sha256) == (0, hashlib.sha256(b"").hexdigest())
    stored = store.put_bytes(b"%PDF-1.4 hello")
    assert stored.size == 14 and stored.sha256 == hashlib.sha256(b"%PDF-1.4 hello").hexdigest()
    assert stored.key != empty.key  # server-made random keys


def test_keys_are_random_and_never_reused(store):
    keys = {store.put_bytes(b"same").key for _ in range(20)}
    assert len(keys) == 20


@pytest.mark.parametrize("key", [
    "../x", "..", "", "x", "/etc/passwd", "0" * 31, "0" * 33, "A" * 32, "g" * 32,
    "../" + "0" * 29, "00/" + "0" * 29, "0" * 32 + "\n", "0" * 32 + "/..", " " + "0" * 31, "0" * 16 + "\x00" + "0" * 15,
])
def test_bad_keys_are_refused(store, key):
    for operation in (store.open, store.delete, store.exists):
        with pytest.raises(ValueError):
            operation(key)
    with pytest.raises(ValueError):
        list(store.iter_chunks(key))


@pytest.mark.parametrize("key", [None, b"0" * 32, 0])
def test_keys_that_are_not_text_are_refused(store, key):
    with pytest.raises(ValueError):
        store.exists(key)


def test_a_failure_in_the_middle_of_the_upload_leaves_nothing(store):
    def chunks():
        yield b"first part of the file"
        yield b"second part"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put(chunks())
    assert files_under(store.root) == []  # neither a partial file nor a temp file


def test_a_cancelled_upload_leaves_nothing(store):
    """BaseException too (a cancelled task, Ctrl-C): the temp file is removed."""

    class Cancelled(BaseException):
        pass

    def chunks():
        yield b"x" * 1000
        raise Cancelled()

    with pytest.raises(Cancelled):
        store.put(chunks())
    assert files_under(store.root) == []


def test_the_store_lives_under_the_data_dir(clean_env, tmp_path):
    store = get_file_store()
    assert store.root == (tmp_path / "data" / "files").resolve()
    assert get_file_store() is store
