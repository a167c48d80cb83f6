"""Credentials never reach the log (crawler/exports/redact.py)."""

from __future__ import annotations

import logging

import pytest

from crawler.exports import redact


@pytest.fixture
def clean_redact(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    factory = logging.getLogRecordFactory()
    monkeypatch.setattr(redact, "_secrets", set())
    monkeypatch.setattr(redact, "_installed", False)
    yield
    logging.setLogRecordFactory(factory)


def test_secret_values_by_name() -> None:
    found = redact.secret_values({"AWS_SECRET_ACCESS_KEY": "s" * 40, "AWS_ACCESS_KEY_ID": "AKIA1234567890",
                                  "AWS_SESSION_TOKEN": "tok" * 5, "MIRRORS": "not-a-secret-at-all",
                                  "RUSPRESS_SCRAPYD_PASSWORD": "hunter2hunter2", "LOG_LEVEL": "INFO"})
    assert found == {"s" * 40, "AKIA1234567890", "tok" * 5, "hunter2hunter2"}


def test_overridden_settings_line_is_redacted(clean_redact: None, caplog: pytest.LogCaptureFixture) -> None:
    redact.install({"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7"},
                   environ={"AWS_SESSION_TOKEN": "FwoGZXIvYXdzEJr//token"})
    settings = {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG", "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7",
                "FEEDS": {"s3://USER:PASS@bucket/x.jsonl": {}}}
    with caplog.at_level(logging.INFO):
        logging.getLogger("scrapy.crawler").info("Overridden settings:\n%(settings)s", {"settings": settings})
        logging.getLogger("x").info("token %s", "FwoGZXIvYXdzEJr//token")
    text = caplog.text
    for secret in ("wJalrXUtnFEMI/K7MDENG", "AKIAIOSFODNN7", "USER:PASS", "FwoGZXIvYXdzEJr//token"):
        assert secret not in text
    assert "s3://***@bucket/x.jsonl" in text and "'AWS_SECRET_ACCESS_KEY': '***'" in text


def test_tracebacks_are_redacted(clean_redact: None, caplog: pytest.LogCaptureFixture) -> None:
    redact.install({"AWS_SECRET_ACCESS_KEY": "verysecretvalue123"}, environ={})
    try:
        raise RuntimeError("upload to s3://ak:sk@bucket failed with verysecretvalue123")
    except RuntimeError:
        logging.getLogger("x").exception("boom")
    assert "verysecretvalue123" not in caplog.text and "ak:sk" not in caplog.text


def test_short_values_are_not_secrets(clean_redact: None) -> None:
    redact.install({"SOME_TOKEN": "yes"}, environ={})
    assert redact.redact("yes, it works") == "yes, it works"
