"""S3 for real: moto's S3 server on 127.0.0.1 (a free port), the real `scrapy crawl moscowtimes` in a
subprocess against the fixture site, the objects read back with boto3.

Covers: items, gzip, batches, JSON format, the evidence archive (the WACZ in the bucket, read back by
`scrapy reextract s3://...`), the run manifest (written last, sha256 and item counts that
match the objects), credentials given with -s never reaching the log, the stats or the manifest, and
S3 failures (endpoint down, upload refused): exit code 3, a clear error, the files, the WACZ and the manifest
kept in the spool, and the next run delivering them before it crawls, with the crawl state (issue 4)
so that every article reaches the bucket exactly once.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from crawler.state import DELIVERED, open_store
from tests.crawl import ROOT, SITES, expected, mirrors_for
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
BUCKET = "corpus"
WINDOW = ("-a", "since=2023-06-01", "-a", "until=2023-08-31")
EXPECTED_URLS = {url for url, art in expected("moscowtimes")["articles"].items()
                 if "2023-06-01" <= art["published_at"][:10] <= "2023-08-31"}
KEY_ID, SECRET = "AKIATESTKEYID0000042", "s3cr3t-Value-That-Must-Never-Be-Logged/42"
FAILED_EXIT = 3


@dataclass
class Run:
    returncode: int
    log: str
    stats: dict

    def stats_text(self) -> str:
        return json.dumps(self.stats)


@pytest.fixture
def s3() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, a free port; stopped after the test. Yields the endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    reset(endpoint)  # moto keeps its buckets per process, not per server
    try:
        yield endpoint
    finally:
        reset(endpoint)
        server.stop()


def reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as answer:
        assert answer.status == 200


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer(SITES / "moscowtimes") as server:
        yield server


def client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="y")


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def crawl(site: SiteServer, endpoint: str, tmp_path: Path, *args: str, run: str = "run", **settings: object) -> Run:
    """`scrapy crawl moscowtimes` writing to s3://corpus/news through ``endpoint``."""
    stats_file = tmp_path / f"{run}.stats.json"
    base = {
        "MIRRORS": json.dumps(mirrors_for("moscowtimes", site.url)),
        "OUTPUT_URI": f"s3://{BUCKET}/news",
        "OUTPUT_SPOOL_DIR": str(tmp_path / "spool"),
        "STATE_URL": f"sqlite:///{tmp_path / 'state.sqlite'}",
        "AWS_ENDPOINT_URL": endpoint,
        "STATS_FILE": str(stats_file),
        "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "INFO",
        # given on the command line on purpose: Scrapy logs overridden settings, the redaction must hide them
        "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
    }
    base.update({name: str(value) for name, value in settings.items()})
    cmd = [sys.executable, "-m", "scrapy", "crawl", "moscowtimes", *WINDOW, *args]
    for name, value in base.items():
        cmd += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "2",
           "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    stats = json.loads(stats_file.read_text("utf-8")) if stats_file.exists() else {}
    return Run(proc.returncode, proc.stderr + proc.stdout, stats)


def objects(endpoint: str) -> dict[str, bytes]:
    s3 = client(endpoint)
    listing = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {obj["Key"]: s3.get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read() for obj in listing}


def manifests(store: dict[str, bytes]) -> dict[str, dict]:
    return {key: json.loads(body) for key, body in store.items() if key.endswith(".manifest.json")}


def items_of(key: str, body: bytes) -> list[dict]:
    if key.endswith(".gz"):
        body = gzip.decompress(body)
    text = body.decode("utf-8")
    if key.endswith((".json", ".json.gz")):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def check_manifest_matches_objects(manifest: dict, store: dict[str, bytes], manifest_key: str) -> list[dict]:
    folder = manifest_key.rsplit("/", 1)[0]
    items = []
    for entry in manifest["files"]:
        key = f"{folder}/{entry['name']}"
        assert entry["uri"] == f"s3://{BUCKET}/{key}"
        body = store[key]
        assert entry["sha256"] == hashlib.sha256(body).hexdigest() and entry["bytes"] == len(body)
        file_items = items_of(key, body)
        assert entry["items"] == len(file_items)
        items += file_items
    assert manifest["items"] == len(items)
    return items


def test_s3_feed_gzip_batches_and_manifest(s3: str, site: SiteServer, tmp_path: Path) -> None:
    client(s3).create_bucket(Bucket=BUCKET)
    result = crawl(site, s3, tmp_path, OUTPUT_GZIP=True, OUTPUT_BATCH_ITEMS=5)
    assert result.returncode == 0, result.log[-3000:]
    store = objects(s3)
    (manifest_key, manifest), = manifests(store).items()
    run_id, day = manifest["run_id"], manifest_key.split("/")[2]
    assert manifest_key == f"news/moscowtimes/{day}/{run_id}.manifest.json"
    archive_key = f"news/moscowtimes/{day}/{run_id}.wacz"  # OUTPUT_URI set: the evidence archive is on
    assert sorted(store) == sorted([manifest_key, archive_key] + [f"news/moscowtimes/{day}/{run_id}-{n:05d}.jsonl.gz"
                                                                  for n in (1, 2, 3)])
    check_archive(manifest, store, archive_key)
    items = check_manifest_matches_objects(manifest, store, manifest_key)
    assert [entry["items"] for entry in manifest["files"]] == [5, 5, 2]
    assert {item["url"] for item in items} == EXPECTED_URLS and len(items) == len(EXPECTED_URLS)
    assert all(item["outlet"] == "moscowtimes" and "127.0.0.1" not in item["url"] for item in items)
    assert manifest["outlet"] == "moscowtimes" and manifest["finish_reason"] == "finished"
    assert manifest["window"] == {"since": "2023-06-01", "until": "2023-08-31"}
    assert (manifest["compression"], manifest["batch_items"], manifest["format"]) == ("gzip", 5, "jsonlines")
    assert manifest["destination"] == f"s3://{BUCKET}/news" and isinstance(manifest["dropped"], dict)
    # written last: after every feed file was stored
    log = result.log
    stored_at = [log.index(f"feed ({count} items) in: s3://{BUCKET}/news/moscowtimes/{day}/{run_id}-{n:05d}.jsonl.gz")
                 for n, count in ((1, 5), (2, 5), (3, 2))]
    assert log.index(f"Output of run {run_id} complete") > max(stored_at)
    # credentials given with -s: used (the upload worked), never shown
    for secret in (SECRET, KEY_ID):
        assert secret not in log and secret not in result.stats_text() and secret.encode() not in store[manifest_key]
    assert "'AWS_SECRET_ACCESS_KEY': '***'" in log
    assert not list((tmp_path / "spool").rglob("*.jsonl.gz*"))  # uploaded files leave the spool
    assert not list((tmp_path / "spool").rglob("*.wacz*"))
    # scrapy reextract reads the archive back from the S3 prefix (moto), with no other network
    out = tmp_path / "again.jsonl"
    cmd = [sys.executable, "-m", "scrapy", "reextract", f"s3://{BUCKET}/news/moscowtimes/", "-O", str(out),
           "-s", f"AWS_ENDPOINT_URL={s3}", "-s", "AWS_ACCESS_KEY_ID=x", "-s", "AWS_SECRET_ACCESS_KEY=y"]
    again = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "AWS_DEFAULT_REGION": "us-east-1",
                                               "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"},
                           capture_output=True, text=True, timeout=240)
    assert again.returncode == 0, (again.stderr + again.stdout)[-3000:]
    reextracted = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert sorted(reextracted, key=lambda i: i["url"]) == sorted(items, key=lambda i: i["url"])


def check_archive(manifest: dict, store: dict[str, bytes], key: str) -> None:
    """The run's WACZ is in the bucket as the manifest describes it."""
    body = store[key]
    entry = manifest["archive"]
    assert entry["uri"] == f"s3://{BUCKET}/{key}" and entry["name"] == key.rsplit("/", 1)[1]
    assert entry["sha256"] == hashlib.sha256(body).hexdigest() and entry["bytes"] == len(body)
    assert body[:2] == b"PK" and entry["responses"] > 0


def test_s3_json_format_one_file(s3: str, site: SiteServer, tmp_path: Path) -> None:
    client(s3).create_bucket(Bucket=BUCKET)
    result = crawl(site, s3, tmp_path, OUTPUT_FORMAT="json")
    assert result.returncode == 0, result.log[-3000:]
    store = objects(s3)
    (manifest_key, manifest), = manifests(store).items()
    (feed_key,) = [key for key in store if key != manifest_key and not key.endswith(".wacz")]
    assert feed_key.endswith(f"{manifest['run_id']}-00001.json")
    items = check_manifest_matches_objects(manifest, store, manifest_key)
    assert {item["url"] for item in items} == EXPECTED_URLS
    assert store[feed_key].lstrip().startswith(b"[")  # one JSON array per file


@pytest.mark.parametrize("failure", ["endpoint_down", "upload_refused"])
def test_s3_failure_spools_exits_3_and_the_next_run_delivers(s3: str, site: SiteServer, tmp_path: Path,
                                                             failure: str) -> None:
    if failure == "endpoint_down":
        first = crawl(site, f"http://127.0.0.1:{closed_port()}", tmp_path, run="first",
                      OUTPUT_GZIP=True, OUTPUT_BATCH_ITEMS=5)
        expected_error = "EndpointConnectionError"
    else:  # the server answers, but refuses: the bucket does not exist
        first = crawl(site, s3, tmp_path, run="first", OUTPUT_GZIP=True, OUTPUT_BATCH_ITEMS=5)
        expected_error = "NoSuchBucket"
    assert first.returncode == FAILED_EXIT, first.log[-3000:]
    assert "OUTPUT NOT DELIVERED: 4 of 4 files" in first.log and expected_error in first.log  # 3 feeds + the WACZ
    assert "exit code 3" in first.log and SECRET not in first.log
    run_dirs = [p for p in (tmp_path / "spool" / "moscowtimes").iterdir()]
    assert len(run_dirs) == 1
    first_run = run_dirs[0].name
    spooled = sorted(p.name for p in run_dirs[0].iterdir())
    assert spooled == sorted([f"{first_run}-{n:05d}.jsonl.gz{suffix}" for n in (1, 2, 3) for suffix in ("", ".spool.json")]
                             + [f"{first_run}.manifest.json", f"{first_run}.manifest.json.spool.json",
                                f"{first_run}.wacz", f"{first_run}.wacz.spool.json"])
    archive_sidecar = json.loads((run_dirs[0] / f"{first_run}.wacz.spool.json").read_text())
    assert archive_sidecar["kind"] == "archive" and expected_error in archive_sidecar["error"]
    assert first.stats["archive/spooled"] == 1
    sidecars = [json.loads((run_dirs[0] / f"{first_run}-{n:05d}.jsonl.gz.spool.json").read_text()) for n in (1, 2, 3)]
    assert [s["items"] for s in sidecars] == [5, 5, 2] and all(expected_error in s["error"] for s in sidecars)
    spooled_items = [item for n in (1, 2, 3) for item in
                     items_of(".gz", (run_dirs[0] / f"{first_run}-{n:05d}.jsonl.gz").read_bytes())]
    assert {item["url"] for item in spooled_items} == EXPECTED_URLS  # nothing lost

    # The crawl state (issue 4, crawler/extensions/delivery.py): the items of a spooled file belong to
    # the spool from then on, so the state records them (the next run does not fetch them again) and
    # the spool delivers them.
    assert "'delivery/feeds_spooled': 3," in first.log and "'delivery/feeds_stored'" not in first.log
    assert delivered_in_state(tmp_path) == EXPECTED_URLS

    if failure == "upload_refused":
        assert objects_or_none(s3) is None  # still no bucket: nothing was published
    client(s3).create_bucket(Bucket=BUCKET)
    second = crawl(site, s3, tmp_path, run="second", OUTPUT_GZIP=True, OUTPUT_BATCH_ITEMS=5)
    assert second.returncode == 0, second.log[-3000:]
    # delivered when the spider opened, before it started crawling (the spider logs its window in start())
    assert second.log.index(f"Spool: delivered {first_run}.manifest.json") < second.log.index("articles dated")
    store = objects(s3)
    found = manifests(store)
    assert len(found) == 2
    late_key = next(key for key in found if first_run in key)
    late = found[late_key]
    assert late["run_id"] == first_run and late["delivered_late"]["by_run"] == found[
        next(key for key in found if key != late_key)]["run_id"]
    assert {item["url"] for item in check_manifest_matches_objects(late, store, late_key)} == EXPECTED_URLS
    check_archive(late, store, late_key.replace(".manifest.json", ".wacz"))  # the spooled WACZ, delivered too
    assert not list((tmp_path / "spool").rglob("*.spool.json"))
    assert second.stats["output/spool/delivered_files"] == 3 and second.stats["output/spool/delivered_items"] == 12
    # ... and the second run did not emit them again: every article is in the bucket exactly once
    second_key = next(key for key in found if key != late_key)
    assert check_manifest_matches_objects(found[second_key], store, second_key) == []
    every = [item["url"] for key, body in store.items() if not key.endswith((".manifest.json", ".wacz"))
             for item in items_of(key, body)]
    assert sorted(every) == sorted(EXPECTED_URLS)
    assert delivered_in_state(tmp_path) == EXPECTED_URLS


def delivered_in_state(tmp_path: Path) -> set[str]:
    """URLs the crawl state (crawler/state/, issue 4) records as delivered for moscowtimes."""
    store = open_store(f"sqlite:///{tmp_path / 'state.sqlite'}")
    store.connect()
    try:
        return {a.url for a in store.find_articles("moscowtimes", sorted(EXPECTED_URLS), []) if a.status == DELIVERED}
    finally:
        store.close()


def objects_or_none(endpoint: str) -> dict[str, bytes] | None:
    try:
        return objects(endpoint)
    except client(endpoint).exceptions.NoSuchBucket:
        return None
