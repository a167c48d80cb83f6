"""Which URLs a crawl of one outlet may request, and which URLs its items may carry.

A crawl may request ``http``/``https`` URLs on:

* the outlet record's ``hosts``;
* the hosts of every URL the record names: ``home``, ``robots_url``, ``sitemaps``, ``feeds`` and any URL
  or URL template in ``extra`` (API endpoints such as ``https://meduza.io/api/w5/{id}``);
* the hosts of the setting ``SCOPE_EXTRA_HOSTS`` (the web archives by default).

Nothing a site sends (a ``Sitemap:`` line, a sitemap index, a feed, a redirect, a meta refresh) can add
a host, so a site cannot make the crawler read local files (``file://``), other schemes, other sites
or internal addresses. An exported item's URL must be on one of the outlet's own ``hosts``.
Ports are not part of the scope: the crawler fetches mirrors (``MIRRORS``) by their canonical URL, and
the mirror's own address never needs to be in scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crawler.outlets.base import Outlet

SCHEMES = frozenset({"http", "https"})


def host_of(url: str) -> str | None:
    """The lower-case host name of ``url`` (None when it has none or cannot be read)."""
    try:
        return urlsplit(url.strip()).hostname or None
    except ValueError:  # e.g. an invalid IPv6 literal
        return None


def named_urls(outlet: Outlet) -> Iterator[str]:
    """Every URL (or URL template) the outlet record names."""
    yield outlet.home
    if outlet.robots_url:
        yield outlet.robots_url
    yield from outlet.sitemaps
    yield from outlet.feeds
    yield from _urls_in(outlet.extra)


def _urls_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith(("http://", "https://")):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _urls_in(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _urls_in(item)


@dataclass(frozen=True)
class Scope:
    hosts: frozenset[str]  # hosts the crawl may request
    item_hosts: frozenset[str]  # hosts an exported item's URL may have (the outlet's own)

    @classmethod
    def of(cls, outlet: Outlet, extra_hosts: Iterable[str] = ()) -> Scope:
        own = frozenset(h.lower() for h in outlet.hosts)
        named = {host_of(url) for url in named_urls(outlet)}
        extra = {h.strip().lower() for h in extra_hosts if h and h.strip()}
        return cls(hosts=own | {h for h in named if h} | extra, item_hosts=own)

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be requested (``scheme`` or ``host``), or None when it may."""
        try:
            scheme = urlsplit(url.strip()).scheme.lower()
        except ValueError:
            return "host"
        if scheme not in SCHEMES:
            return "scheme"
        return None if host_of(url) in self.hosts else "host"

    def allows_item(self, url: str) -> bool:
        """An item may carry ``url``: http(s) on one of the outlet's own hosts."""
        return url.lower().startswith(("http://", "https://")) and host_of(url) in self.item_hosts
