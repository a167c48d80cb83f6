"""The run manifest and the spool (crawler/exports/manifest.py, crawler/exports/spool.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from crawler.exports.manifest import FileEntry, build_manifest, dropped_by_reason
from crawler.exports.spool import Spool


def test_dropped_by_reason_reads_component_stats() -> None:
    stats = {"validate/dropped/missing_body": 2, "dedup/dropped/url": 5, "validate/passed": 9,
             "item_dropped_count": 7, "clean/blocks_removed": 3}
    assert dropped_by_reason(stats) == {"dedup/url": 5, "validate/missing_body": 2}


def test_manifest_fields() -> None:
    spider = SimpleNamespace(name="moscowtimes", outlet=SimpleNamespace(key="moscowtimes"),
                             since=date(2023, 6, 1), until=date(2023, 8, 31))
    files = [FileEntry("r1-00002.jsonl.gz", "s3://b/p/moscowtimes/2024-05-01/r1-00002.jsonl.gz", 2, 10, "bb"),
             FileEntry("r1-00001.jsonl.gz", "s3://b/p/moscowtimes/2024-05-01/r1-00001.jsonl.gz", 5, 20, "aa")]
    manifest = build_manifest(
        run_id="r1", job="abc", spider=spider, started_at=datetime(2024, 5, 1, 12, 0, 0, 123),  # naive = UTC
        finished_at=datetime(2024, 5, 1, 12, 5, tzinfo=timezone.utc), finish_reason="finished",
        destination="s3://b/p", files=files, stats={"validate/dropped/not_article": 1},
        feed_options={"format": "jsonlines", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"],
                      "batch_item_count": 5})
    assert manifest["window"] == {"since": "2023-06-01", "until": "2023-08-31"}
    assert manifest["started_at"] == "2024-05-01T12:00:00+00:00"
    assert [f["name"] for f in manifest["files"]] == ["r1-00001.jsonl.gz", "r1-00002.jsonl.gz"]
    assert manifest["files"][0] == {"name": "r1-00001.jsonl.gz", "uri": files[1].uri, "items": 5, "bytes": 20,
                                    "sha256": "aa"}
    assert (manifest["items"], manifest["compression"], manifest["batch_items"]) == (7, "gzip", 5)
    assert manifest["dropped"] == {"validate/not_article": 1} and manifest["dropped_total"] == 1
    assert manifest["job"] == "abc" and manifest["outlet"] == "moscowtimes"
    json.dumps(manifest)  # plain JSON


def test_spool_keeps_files_with_sidecars_and_lists_them_manifest_last(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    part = spool.part_path("holod", "r1", "r1-00001.jsonl")
    part.write_bytes(b'{"url": "u"}\n')
    kept = spool.keep(part, {"uri": "s3://b/holod/r1-00001.jsonl", "kind": "feed"})
    spool.update(kept.path, items=1)
    spool.add("holod", "r1", "r1.manifest.json", b"{}", {"uri": "s3://b/holod/r1.manifest.json", "kind": "manifest"})
    (spool.run_dir("holod", "r0")).mkdir()
    (spool.run_dir("holod", "r0") / "x.jsonl.part").write_bytes(b"half")
    runs = spool.runs("holod")
    assert [[f.path.name for f in run] for run in runs] == [["r1-00001.jsonl", "r1.manifest.json"]]
    feed = runs[0][0]
    assert feed.items == 1 and feed.meta["sha256"] == hashlib.sha256(b'{"url": "u"}\n').hexdigest()
    assert spool.incomplete("holod") == [tmp_path / "holod" / "r0" / "x.jsonl.part"]
    assert spool.runs("holod", exclude="r1") == [] and spool.runs("other") == []
    for spooled in runs[0]:
        spool.remove(spooled)
    assert not spool.run_dir("holod", "r1").exists()


def test_part_names_do_not_collide(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    first = spool.part_path("x", "r", "a.jsonl")
    first.write_bytes(b"")
    assert spool.part_path("x", "r", "a.jsonl") != first
