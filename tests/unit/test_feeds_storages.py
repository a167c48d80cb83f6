"""Local feed files appear only once complete; S3 uploads that fail stay in the spool
(crawler/exports/storages.py; the S3 path end to end: tests/integration/test_s3.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

from crawler.exports.storages import LocalFeedStorage, StoredFile, describe


def test_local_feed_is_written_aside_and_renamed_when_stored(tmp_path: Path) -> None:
    target = tmp_path / "moscowtimes" / "2024-05-01" / "r1-00001.jsonl"
    storage = LocalFeedStorage(target.as_uri(), feed_options={"overwrite": True})
    fh = storage.open(SimpleNamespace(name="moscowtimes"))
    fh.write(b'{"url": "u"}\n')
    assert not target.exists() and (target.parent / "r1-00001.jsonl.part").exists()
    storage._publish(fh)
    assert target.read_bytes() == b'{"url": "u"}\n' and not (target.parent / "r1-00001.jsonl.part").exists()
    assert storage.stored == StoredFile(target.as_uri(), 13, hashlib.sha256(b'{"url": "u"}\n').hexdigest(), ok=True)


def test_append_mode_writes_in_place(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"old\n")
    storage = LocalFeedStorage(str(target), feed_options={"overwrite": False})
    fh = storage.open(SimpleNamespace(name="x"))
    fh.write(b"new\n")
    storage._publish(fh)
    assert target.read_bytes() == b"old\nnew\n" and storage.stored is not None and storage.stored.ok


def test_names_and_errors() -> None:
    assert StoredFile("s3://b/p/x/2024-05-01/r1-00002.jsonl.gz").name == "r1-00002.jsonl.gz"
    assert describe(ConnectionError("Could not connect\nmore")) == "ConnectionError: Could not connect"
    assert describe(TimeoutError()) == "TimeoutError"


def test_a_local_feed_that_cannot_be_opened_fails_its_store_not_the_crawl(tmp_path: Path) -> None:
    import asyncio

    import pytest

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for overwrite in (True, False):  # -O and -o
        storage = LocalFeedStorage(str(blocker / "out.jsonl"), feed_options={"overwrite": overwrite})
        fh = storage.open(SimpleNamespace(name="x"))  # no exception: the items go to a throw-away file
        fh.write(b'{"url": "u"}\n')
        with pytest.raises(OSError):
            asyncio.run(storage.store(fh))
        assert storage.stored is not None and not storage.stored.ok and "Error" in (storage.stored.error or "")
