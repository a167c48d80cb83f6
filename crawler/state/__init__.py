"""The crawl state: what earlier runs fetched and delivered, so a run emits only what is new or changed.

``open_store(STATE_URL)`` gives a :class:`StateStore` (SQLite or PostgreSQL); the per-crawl service
(:mod:`crawler.state.service`) runs it in a worker thread and is what the incremental middleware and
the de-duplication pipeline talk to.
"""

from crawler.state.records import DELIVERED, DUPLICATE, GONE, REJECTED, ArticleState, RunRecord, Touch
from crawler.state.store import LeaseBusy, StateError, StateLocked, StateStore, open_store

__all__ = ["ArticleState", "RunRecord", "Touch", "StateStore", "StateError", "StateLocked", "LeaseBusy", "open_store",
           "DELIVERED", "DUPLICATE", "GONE", "REJECTED"]
