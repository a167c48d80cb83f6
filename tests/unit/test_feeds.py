"""The output add-on and the layout of a run's files (crawler/feeds.py, crawler/exports/layout.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.exports.layout import (OutputConfigError, OutputLayout, destination, new_run_id, project_root,
                                    public_uri, spool_dir)
from crawler.feeds import OutputAddon


def addon_settings(tmp_path: Path, **overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("OUTPUT_DIR", str(tmp_path), priority="project")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    crawler = SimpleNamespace(spider=SimpleNamespace(name="moscowtimes"))
    OutputAddon(crawler).update_settings(settings)  # type: ignore[arg-type]
    return settings


def test_default_feed_is_jsonlines_under_outlet_and_date(tmp_path: Path) -> None:
    settings = addon_settings(tmp_path)
    run_id = settings["OUTPUT_RUN_ID"]
    (uri, options), = settings.getdict("FEEDS").items()
    day = run_id[:4] + "-" + run_id[4:6] + "-" + run_id[6:8]
    assert uri == f"{tmp_path.as_uri()}/%(name)s/{day}/{run_id}-%(batch_id)05d.jsonl"
    assert options["format"] == "jsonlines" and options["encoding"] == "utf-8" and options["overwrite"]
    assert "postprocessing" not in options
    assert settings["OUTPUT_MANIFEST_URI"] == f"{tmp_path.as_uri()}/moscowtimes/{day}/{run_id}.manifest.json"
    assert settings["OUTPUT_SPOOL_DIR"] == str(tmp_path / ".spool")


def test_s3_gzip_json_batches(tmp_path: Path) -> None:
    settings = addon_settings(tmp_path, OUTPUT_URI="s3://corpus/ru/", OUTPUT_FORMAT="json", OUTPUT_GZIP=True,
                              OUTPUT_BATCH_ITEMS=100, OUTPUT_RUN_ID="r1")
    (uri, options), = settings.getdict("FEEDS").items()
    assert uri.startswith("s3://corpus/ru/%(name)s/") and uri.endswith("/r1-%(batch_id)05d.json.gz")
    assert options["batch_item_count"] == 100 and options["format"] == "json"
    assert options["postprocessing"] == ["scrapy.extensions.postprocessing.GzipPlugin"]
    assert settings["OUTPUT_MANIFEST_URI"].endswith("/r1.manifest.json")


def test_user_feeds_win_unless_output_uri_is_set(tmp_path: Path) -> None:
    given = {"file:///tmp/x.jsonl": {"format": "jsonlines"}}
    settings = addon_settings(tmp_path, FEEDS=given)
    assert settings.getdict("FEEDS") == given and not settings.get("OUTPUT_MANIFEST_URI")
    # Scrapyd's items_dir gives FEEDS too: an explicit OUTPUT_URI is added beside it
    settings = addon_settings(tmp_path, FEEDS=given, OUTPUT_URI=str(tmp_path / "out"))
    assert len(settings.getdict("FEEDS")) == 2 and settings.get("OUTPUT_MANIFEST_URI")


def test_default_feed_off(tmp_path: Path) -> None:
    settings = addon_settings(tmp_path, OUTPUT_DEFAULT_FEED=False)
    assert not settings.getdict("FEEDS") and settings["OUTPUT_RUN_ID"]


@pytest.mark.parametrize("uri, message", [
    ("relative/dir", "absolute path"),
    ("s3://AKIAXXXXXXXX:secretsecret@bucket/prefix", "must not hold credentials"),
    ("gs://bucket/x", "not supported"),
    ("s3:///prefix", "expected s3://bucket/prefix"),
])
def test_bad_output_uri_is_refused_clearly(tmp_path: Path, uri: str, message: str) -> None:
    with pytest.raises(OutputConfigError, match=message) as info:
        addon_settings(tmp_path, OUTPUT_URI=uri)
    assert "secretsecret" not in str(info.value)


@pytest.mark.parametrize("name, value, message", [
    ("OUTPUT_FORMAT", "csv", "OUTPUT_FORMAT='csv'"),
    ("OUTPUT_BATCH_ITEMS", -1, "OUTPUT_BATCH_ITEMS"),
    ("OUTPUT_RUN_ID", "../x", "OUTPUT_RUN_ID"),
    ("OUTPUT_SPOOL_DIR", "spool", "OUTPUT_SPOOL_DIR"),
])
def test_bad_settings_name_themselves(tmp_path: Path, name: str, value: object, message: str) -> None:
    with pytest.raises(OutputConfigError, match=message):
        addon_settings(tmp_path, **{name: value})


def test_s3_output_needs_a_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crawler.exports.layout.project_root", lambda: None)  # as from an egg
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("OUTPUT_URI", "s3://b/p", priority="cmdline")
    settings.set("OUTPUT_DIR", "", priority="cmdline")
    settings.set("OUTPUT_SPOOL_DIR", "", priority="cmdline")
    with pytest.raises(OutputConfigError, match="OUTPUT_SPOOL_DIR"):
        OutputAddon(SimpleNamespace(spider=SimpleNamespace(name="x"))).update_settings(settings)  # type: ignore[arg-type]


def test_from_an_egg_there_is_no_default_output_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crawler.exports.layout.project_root", lambda: None)
    with pytest.raises(OutputConfigError, match="OUTPUT_URI"):
        destination("", None)
    assert spool_dir("", None) is None


def test_checkout_is_detected() -> None:
    root = project_root()
    assert root is not None and (root / "scrapy.cfg").is_file()


def test_run_id_sorts_by_time_and_uses_the_scrapyd_job() -> None:
    started = datetime(2024, 5, 1, 12, 0, 7, tzinfo=timezone.utc)
    assert new_run_id(started, "3f2a9c1e-77aa-11ef") == "20240501T120007Z-3f2a9c1e"
    assert new_run_id(started).startswith("20240501T120007Z-") and len(new_run_id(started)) == 25
    assert new_run_id(started) < new_run_id(started.replace(second=8))


def test_public_uri_drops_credentials() -> None:
    assert public_uri("s3://KEY:SECRET@bucket/a/b.jsonl") == "s3://bucket/a/b.jsonl"
    assert public_uri("ftp://u:p@host:2121/x") == "ftp://host:2121/x"
    assert public_uri("s3://bucket/a") == "s3://bucket/a"


def test_layout_names() -> None:
    layout = OutputLayout("s3://b/p", "r1", "2024-05-01", gzip=True)
    assert layout.feed_uri_template() == "s3://b/p/%(name)s/2024-05-01/r1-%(batch_id)05d.jsonl.gz"
    assert layout.manifest_uri("holod") == "s3://b/p/holod/2024-05-01/r1.manifest.json"
    assert layout.feed_options()["gzip_mtime"] == 0
