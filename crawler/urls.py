"""One canonical form for article URLs, so that the same article under different URLs is one."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|yclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|ref|ref_src|from|"
    r"rss|amp|output|share|s|at_\w+|ysclid)$",
    re.I,
)
_AMP_PATH = re.compile(r"(/amp/?$|/amp(?=/)|\.amp(?=\.html$))")


def canonical_url(url: str) -> str:
    """https, lower-case host without ``m.``/``amp.`` prefixes, no fragment, no tracking parameters,
    no AMP path variant, no trailing slash duplication (the site's own form of the path is kept)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("m.", "amp.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = _AMP_PATH.sub("", parts.path) or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMS.match(k)])
    return urlunsplit((scheme, host + port, path, query, ""))
