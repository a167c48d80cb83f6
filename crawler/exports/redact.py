"""Keep credentials out of the log.

Scrapy logs every overridden setting at start-up ("Overridden settings: ..."), so a key given with
``-s AWS_SECRET_ACCESS_KEY=...`` would be printed, and it logs feed URIs, which may carry
``user:password@``. :func:`install` wraps the logging record factory of the process: every record's
message (and traceback text) has the known secret values replaced by ``***`` and any URI's
``user:password@`` by ``***@``. Secrets are the values of settings and environment variables whose
names look like credentials (:data:`SECRET_NAME`).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|CREDENTIAL|_KEY_ID$|WEBHOOK_URL)", re.I)
USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s@:'\"]*:[^/\s@'\"]*@", re.I)
MASK = "***"
MIN_LENGTH = 8  # shorter values are not treated as secrets (they would mask ordinary words)

_secrets: set[str] = set()
_installed = False


def secret_values(*sources: Mapping[str, Any]) -> set[str]:
    """Values of credential-like names in settings and environment mappings."""
    found = set()
    for source in sources:
        for name, value in source.items():
            if isinstance(name, str) and SECRET_NAME.search(name) and isinstance(value, str):
                found.add(value)
    return found


def add_secrets(values: Iterable[str]) -> None:
    for value in values:
        if value and len(value) >= MIN_LENGTH:
            _secrets.add(value)
            _secrets.add(repr(value)[1:-1])  # as pprint shows it


def redact(text: str) -> str:
    for value in sorted(_secrets, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return USERINFO.sub(r"\1" + MASK + "@", text)


def install(settings: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> None:
    """Redact the secrets found in ``settings`` and ``environ`` (default ``os.environ``) from every
    log record created from now on, in this process. Idempotent."""
    global _installed
    add_secrets(secret_values(settings or {}, os.environ if environ is None else environ))
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrub(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string is logging's problem, not ours
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
