"""Registry of outlet records: every module in this package that defines ``OUTLETS`` is loaded."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from urllib.parse import urlsplit

from crawler.outlets.base import Outlet, TextRule

__all__ = ["Outlet", "TextRule", "all_outlets", "get", "for_url"]


@cache
def all_outlets() -> dict[str, Outlet]:
    found: dict[str, Outlet] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for outlet in getattr(module, "OUTLETS", ()):
            if outlet.key in found:
                raise RuntimeError(f"outlet {outlet.key!r} is defined twice")
            found[outlet.key] = outlet
    return dict(sorted(found.items()))


def get(key: str) -> Outlet:
    try:
        return all_outlets()[key]
    except KeyError:
        raise KeyError(f"unknown outlet {key!r}; known: {', '.join(all_outlets())}") from None


def for_url(url: str) -> Outlet | None:
    """The outlet whose article pattern matches ``url`` (else the first owning its host)."""
    host = (urlsplit(url).hostname or "").lower()
    owners = [o for o in all_outlets().values() if o.owns(host)]
    for outlet in owners:
        if outlet.match_article(url):
            return outlet
    return owners[0] if owners else None
