"""The evidence archive end to end: the real `scrapy crawl moscowtimes` against the fixture site (through
MIRRORS) with OUTPUT_URI set (so the archive is on, as for scheduled runs), then `scrapy reextract` over
its WACZ with no network, and once more with a changed outlet record. One crawl, shared by the tests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from wacz.main import main as wacz_main

from crawler.exports.wacz import WaczReader
from tests.crawl import ROOT, SITES, read_jsonl, run_crawl
from tests.siteserver import SiteServer

pytestmark = pytest.mark.integration
WINDOW = ("-a", "since=2023-05-01", "-a", "until=2023-08-31")
RULE_SITE = """
import dataclasses
from crawler import outlets
from crawler.outlets import TextRule
_all = outlets.all_outlets()
_old = _all["moscowtimes"]
_all["moscowtimes"] = dataclasses.replace(
    _old, text_rules=_old.text_rules + (TextRule("changed_by_test", {pattern!r}, max_chars=2000),))
"""


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("archive")
    with SiteServer(SITES / "moscowtimes") as server:
        result = run_crawl("moscowtimes", server.url, tmp / "items.jsonl", *WINDOW,
                           settings={"OUTPUT_URI": str(tmp / "out"), "STATE_URL": f"sqlite:///{tmp / 'state.sqlite'}",
                                     "OUTPUT_SPOOL_DIR": str(tmp / "spool")})
        result.served = list(server.log)  # type: ignore[attr-defined]
    assert result.returncode == 0, result.log[-3000:]
    (wacz,) = (tmp / "out" / "moscowtimes").glob("*/*.wacz")
    return tmp, result, wacz


def reextract(source: str | Path, *args: str, env_path: Path | None = None, **settings: str):
    cmd = [sys.executable, "-m", "scrapy", "reextract", str(source), *args, "-s", "LOG_LEVEL=INFO"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    path = f"{env_path}{os.pathsep}{ROOT}" if env_path else str(ROOT)
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True,
                          timeout=240)
    return proc.returncode, proc.stderr + proc.stdout


def test_the_wacz_validates_and_the_manifest_lists_it(crawled, capsys):
    tmp, result, wacz = crawled
    assert wacz_main(["validate", "-f", str(wacz)]) == 0
    assert "Validation succeeded" in capsys.readouterr().out
    (manifest_path,) = wacz.parent.glob("*.manifest.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    data = wacz.read_bytes()
    assert manifest["archive"]["name"] == wacz.name == f"{manifest['run_id']}.wacz"
    assert manifest["archive"]["sha256"] == hashlib.sha256(data).hexdigest() and manifest["archive"]["bytes"] == len(data)
    assert manifest["archive"]["responses"] == result.stats["archive/responses"] > 0
    with zipfile.ZipFile(wacz) as archive:
        assert archive.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").decode().splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    items = {item["url"]: item for item in result.items}
    assert {page["url"]: page["title"] for page in pages[1:] if page["url"] in items} == {
        url: item["title"] for url, item in items.items()}


def test_the_wacz_holds_every_parsed_response_as_the_server_sent_it(crawled):
    tmp, result, wacz = crawled
    reader = WaczReader(str(wacz))
    stored = [reader.read(warc, entry) for warc, entry in reader.entries()]
    # every 200 the site served was parsed by a callback (robots.txt once more: RobotsTxtMiddleware's own)
    served = {entry.path for entry in result.served if entry.status == 200}
    archived = [urlsplit(s.url).path + (f"?{urlsplit(s.url).query}" if urlsplit(s.url).query else "") for s in stored]
    assert set(archived) == served and len(archived) == len(set(archived))
    assert all(s.url.startswith("https://") and "127.0.0.1" not in s.url for s in stored)
    site = SITES / "moscowtimes"
    for s in stored:
        route = json.loads((site / "_responses.json").read_text()).get(urlsplit(s.url).path, {})
        if "body" in route:
            assert s.body == route["body"].encode()
        else:
            assert s.body == (site / (route.get("file") or urlsplit(s.url).path.lstrip("/"))).read_bytes()
        assert {k.lower(): v for k, v in s.headers}["content-length"] == str(len(s.body))
    gz = next(s for s in stored if s.url.endswith(".xml.gz"))
    assert gz.body[:2] == b"\x1f\x8b" and ("Content-Type", "application/octet-stream") in gz.headers
    kinds = {s.kind for s in stored}
    assert {"robots", "sitemap", "feed", "article"} <= kinds
    reader.close()


def test_items_name_their_capture(crawled):
    tmp, result, wacz = crawled
    reader = WaczReader(str(wacz))
    by_id = {}
    for warc, entry in reader.entries():
        record = reader.read(warc, entry)
        by_id[record.record_id] = record
    assert result.items
    for item in result.items:
        assert item["archive"]["wacz"] == wacz.name
        record = by_id[item["archive"]["record"]]
        assert record.url == item["url"] and record.kind == "article"
        assert item["fetched_at"] == record.when.isoformat()
    reader.close()


def test_reextract_reproduces_the_items_exactly_without_the_network(crawled):
    tmp, result, wacz = crawled
    out = tmp / "again.jsonl"
    code, log = reextract(wacz, "-O", str(out), "-s", f"STATS_FILE={tmp / 'again.stats.json'}")
    assert code == 0, log[-3000:]
    again = read_jsonl(out)
    assert sorted(again, key=lambda i: i["url"]) == sorted(result.items, key=lambda i: i["url"])
    stats = json.loads((tmp / "again.stats.json").read_text())
    assert stats["archive/replay/answered"] == result.stats["archive/responses"]
    # nothing went to the network: no mirror (none configured), every answer from the archive
    assert "mirrors/requests" not in stats and stats.get("archive/replay/missing", 0) == 2  # the 404 and the 410


def test_a_changed_rule_gives_version_2_only_for_the_articles_it_changes(crawled, tmp_path):
    tmp, result, wacz = crawled
    target = next(item for item in result.items if "Libya" in item["title"])
    paragraph = target["body"].split("\n\n")[-1]
    affected = {item["url"] for item in result.items if paragraph in item["body"]}
    assert affected == {target["url"]}
    (tmp_path / "sitecustomize.py").write_text(RULE_SITE.format(pattern=paragraph[:60]), "utf-8")
    out = tmp_path / "out"
    code, log = reextract(wacz, env_path=tmp_path, OUTPUT_URI=str(out), STATE_URL=f"sqlite:///{tmp / 'state.sqlite'}",
                          OUTPUT_SPOOL_DIR=str(tmp / "spool"), STATS_FILE=str(tmp_path / "stats.json"))
    assert code == 0, log[-3000:]
    (feed,) = out.glob("moscowtimes/*/*.jsonl")
    items = read_jsonl(feed)
    assert [(item["url"], item["version"]) for item in items] == [(target["url"], 2)]
    assert paragraph not in items[0]["body"] and items[0]["body"] == target["body"].rsplit("\n\n", 1)[0]
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["dedup/revised"] == 1 and stats["dedup/dropped/unchanged"] == len(result.items) - 1
    assert stats["clean/text/changed_by_test"] == 1


def test_reextract_of_an_articles_only_archive_with_a_rendered_page(tmp_path):
    """No robots.txt, sitemap or feed in the archive (ARCHIVE_ARTICLES_ONLY): the archived article pages
    are requested once the replayed discovery finds nothing; a page rendered at capture time is parsed
    from its rendered HTML, not from the empty shell the plain request got."""
    from datetime import datetime, timezone

    from crawler.exports.wacz import Capture, WaczWriter, new_record_id

    site = SITES / "moscowtimes"
    urls = sorted(url for url in json.loads((site / "_expected.json").read_text())["articles"] if "/2023/08/2" in url)[:2]
    when = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    html = {url: (site / urlsplit(url).path.lstrip("/")).read_bytes() for url in urls}
    path = tmp_path / "20240501T120000Z-articles.wacz"
    with path.open("wb") as fh:
        writer = WaczWriter(fh, title="t", warcinfo={"spider": "moscowtimes", "ruspress-since": "2023-08-01",
                                                     "ruspress-until": "2023-08-31"})
        plain = writer.add(Capture(urls[0], when, 200, [("Content-Type", "text/html; charset=utf-8")], html[urls[0]],
                                   kind="article"))
        shell = writer.add(Capture(urls[1], when, 200, [("Content-Type", "text/html; charset=utf-8")],
                                   b'<html><body><div id="root"></div></body></html>', kind="article"))
        rendered_id = new_record_id()
        writer.add(Capture(urls[1], when, body=html[urls[1]], kind="article", rendered="app_shell",
                           refers_to=shell.record_id, record_id=rendered_id))
        writer.close()
    out = tmp_path / "items.jsonl"
    code, log = reextract(path, "-O", str(out), "-s", f"STATS_FILE={tmp_path / 'stats.json'}")
    assert code == 0, log[-3000:]
    items = {item["url"]: item for item in read_jsonl(out)}
    assert set(items) == set(urls)
    assert items[urls[0]]["archive"] == {"wacz": path.name, "record": plain.record_id}
    assert items[urls[1]]["archive"] == {"wacz": path.name, "record": rendered_id}
    assert all(item["fetched_at"] == "2024-05-01T12:00:00+00:00" and item["body"] for item in items.values())
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["archive/replay/unreached_articles"] == 2 and stats["archive/replay/missing"] >= 1  # robots, sitemaps


def fixture_cmd(*args: str) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "scrapy", "fixture", *args], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=240)
    return proc.returncode, proc.stderr + proc.stdout


def test_scrapy_fixture_saves_an_archived_or_downloaded_page_and_its_item(crawled, tmp_path):
    from datetime import datetime

    from crawler.pages.saved import differences, parse_saved
    from tests.crawl import expected, mirrors_for
    from tests.unit.pages.expectations import mismatches

    tmp, result, wacz = crawled
    item = next(i for i in result.items if "Libya" in i["title"])
    code, log = fixture_cmd("moscowtimes", f"{wacz}#{item['archive']['record']}", "--dir", str(tmp_path / "a"))
    assert code == 0, log[-3000:]
    saved = tmp_path / "a" / "moscowtimes" / f"{item['url'].rsplit('/', 1)[1]}.json"
    spec = json.loads(saved.read_text("utf-8"))
    assert spec["source"]["from"] == "archive" and spec["source"]["record"] == item["archive"]["record"]
    assert spec["reviewed"] is False and spec["fetched_at"] == item["fetched_at"]
    html = saved.with_suffix(".html").read_bytes()
    assert html == (SITES / "moscowtimes" / urlsplit(item["url"]).path.lstrip("/")).read_bytes()
    # the expected JSON is the parsed item; the saved-pages test would check it the same way
    assert differences(parse_saved("moscowtimes", spec["url"], html, datetime.fromisoformat(spec["fetched_at"])),
                       spec["expected"]) == []
    assert mismatches(spec["expected"], expected("moscowtimes")["articles"][item["url"]]) == []
    # the same page downloaded (through MIRRORS, as a crawl would)
    with SiteServer(SITES / "moscowtimes") as server:
        code, log = fixture_cmd("moscowtimes", item["url"], "--dir", str(tmp_path / "b"),
                                "-s", "MIRRORS=" + json.dumps(mirrors_for("moscowtimes", server.url)))
    assert code == 0, log[-3000:]
    downloaded = json.loads((tmp_path / "b" / "moscowtimes" / saved.name).read_text("utf-8"))
    assert downloaded["source"]["from"] == "network" and downloaded["expected"] == spec["expected"]
    code, log = fixture_cmd("moscowtimes", f"{wacz}#<urn:uuid:00000000-0000-0000-0000-000000000000>",
                            "--dir", str(tmp_path / "c"))
    assert code == 2 and "no such record" in log
