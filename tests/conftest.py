from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.crawl import SITES
from tests.siteserver import SiteServer


@pytest.fixture
def site_server() -> Iterator[Callable[[str], SiteServer]]:
    """Start a fixture site on 127.0.0.1 (a free port); stopped after the test."""
    started: list[SiteServer] = []

    def start(name: str) -> SiteServer:
        server = SiteServer(SITES / name).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
