"""One canonical form for article URLs, so that the same article under different URLs is one."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|yclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|ref|ref_src|from|"
    r"rss|amp|output|share|s|at_\w+|ysclid)$",
    re.I,
)
_AMP_PATH = re.compile(r"(/amp/?$|/amp(?=/)|\.amp(?=\.html$))")


def canonical_url(url: str, home: str | None = None, accepts: Callable[[str], object] | None = None) -> str:
    """https, lower-case host without ``m.``/``amp.`` prefixes, no fragment, no tracking parameters,
    no AMP path variant, no trailing slash duplication (the site's own form of the path is kept).

    With the outlet's ``home`` URL, a host that differs from home's only by ``www.`` takes home's form
    (``themoscowtimes.com`` -> ``www.themoscowtimes.com``, ``www.holod.media`` -> ``holod.media``); with
    ``accepts`` (the outlet's article pattern), the path loses a trailing slash the pattern does not
    need, or gains one it requires (WordPress article URLs end in ``/``)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("m.", "amp.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    if home:
        home_host = (urlsplit(home).hostname or "").lower()
        if home_host and _without_www(host) == _without_www(home_host):
            host = home_host
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = _AMP_PATH.sub("", parts.path) or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMS.match(k)])
    result = urlunsplit((scheme, host + port, path, query, ""))
    if accepts is not None and path != "/":
        if path.endswith("/"):  # without the slash when the pattern takes both forms
            other = urlunsplit((scheme, host + port, path[:-1], query, ""))
            return other if accepts(other) else result
        if not accepts(result):
            other = urlunsplit((scheme, host + port, path + "/", query, ""))
            return other if accepts(other) else result
    return result


def _without_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
