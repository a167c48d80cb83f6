"""Which stored article or story a freshly parsed article is, and what to do with it.

Runs in the crawl state's worker thread (:mod:`crawler.state.service`), never on the reactor. For
each article, in this order:

1. ``url``: the same article (same canonical URL, or same native id under another URL: a changed
   slug) was already emitted in this run, or is stored with the same text under another URL: drop;
2. ``unchanged``: stored under this URL with the same text fingerprint: drop (nothing to emit);
   ``revised``: stored with another fingerprint: emit as ``version + 1`` with ``modified_at`` updated;
3. ``fingerprint``: the same text (exact fingerprint of the normalised lead and body) was delivered
   under another URL or by another outlet: drop, and keep this URL as an alias so it is not fetched
   for nothing again;
4. ``near``: a delivered or emitted article's MinHash signature is at least ``threshold`` similar
   (estimated Jaccard of word 3-shingles; candidates from LSH bands): ``mark`` emits it with
   ``duplicate_of`` and the other's ``story_id``; ``drop`` drops it and keeps an alias;
5. ``new``: emit, with a new ``story_id``.

Emitted articles are *staged*: their state is written only when ``delivered()`` says the feed that
holds them was stored. Drops and seen-again updates are written with the next flush. At the end of
a run, URLs that answered 404/410 are kept as ``gone`` and URLs that answered 200 but gave no
article to judge (an empty page, not HTML, dropped by validation) as ``rejected``, so that they
follow the same re-check rules as articles instead of being fetched by every run; a 5xx or a
timeout keeps nothing (the next run tries again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.state.fingerprint import Banding, Signature, article_text, fingerprint
from crawler.state.policy import later, listing_dates, utc_iso
from crawler.state.records import DELIVERED, DUPLICATE, GONE, REJECTED, ArticleState, Touch
from crawler.state.store import StateStore

Key = tuple[str, str]  # (outlet, canonical url)


@dataclass
class Fetched:
    """A parsed article as the de-duplication pipeline hands it over."""

    outlet: str
    url: str
    native_id: str | None
    lead: str | None
    body: str
    published_at: str | None = None
    modified_at: str | None = None
    fetched_at: str | None = None

    @property
    def key(self) -> Key:
        return (self.outlet, self.url)


@dataclass
class Judgement:
    outcome: str  # new | revised | unchanged | url | fingerprint | near
    emit: bool
    version: int = 1
    story_id: str | None = None
    duplicate_of: str | None = None
    modified_at: str | None = None
    similarity: float | None = None
    original: str | None = None  # the URL of the article this one was matched with

    def reason(self) -> str:
        if self.outcome == "unchanged":
            return f"unchanged: same text as the delivered version {self.version}"
        if self.outcome == "url":
            return f"url: the same article as {self.original}"
        if self.outcome == "fingerprint":
            return f"fingerprint: the same text as {self.original}"
        if self.outcome == "near":
            return f"near: a near-duplicate (similarity {self.similarity:.2f}) of {self.original}"
        return self.outcome


def story_id_for(outlet: str, url: str) -> str:
    """A story's id: derived from the first article of the story (stable, no counter to share)."""
    return "s" + hashlib.sha1(f"{outlet} {url}".encode("utf-8")).hexdigest()[:16]


class Matcher:
    def __init__(self, store: StateStore, clock: Callable[[], datetime], near: bool = True, exact: bool = True,
                 threshold: float = 0.5, num_perm: int = 64, near_action: str = "mark",
                 tz: str = "UTC") -> None:
        self.store = store
        self.clock = clock
        self.near = near
        self.exact = exact  # off (DEDUP_ENABLED=False): only versions, no duplicates across URLs
        self.judging = True  # False when no pipeline judges items: a 200 without an item is then not "rejected"
        self.threshold = threshold
        self.num_perm = num_perm
        self.near_action = near_action
        self.banding = Banding.for_threshold(threshold, num_perm)
        self.tz = tz  # the outlet's, for dates without an offset in folded listings
        # this run: emitted articles (staged or delivered), by URL, native id, fingerprint, bands
        self.emitted: dict[Key, ArticleState] = {}
        self.emitted_native: dict[tuple[str, str], str] = {}
        self.emitted_fp: dict[str, ArticleState] = {}
        self.lsh = self.banding.new_index()
        self.lsh_records: dict[str, ArticleState] = {}
        # waiting for delivery / for the next flush
        self.staged: dict[Key, list[tuple[ArticleState, list[int]]]] = {}
        self.to_save: list[tuple[ArticleState, list[int]]] = []
        self.touches: list[Touch] = []
        # what discovery and download said about URLs of this run
        self.entry_dates: dict[Key, str] = {}
        self.validators: dict[Key, tuple[str | None, str | None]] = {}
        self.responses: dict[Key, tuple[int, str | None, int | None]] = {}  # key -> (status, native id, stored id)
        self.judged: set[Key] = set()
        self.written: dict[Key, tuple[int | None, str | None]] = {}  # key -> (row id, entry date) written
        self.written_keys: dict[int, Key] = {}  # id(record) -> the key it was judged under, until written
        self.folded: dict[Key, list[list[dict[str, Any]]]] = {}
        self.request_keys: dict[tuple[str, str], Key] = {}  # (outlet, native id) -> the request's key

    # ------------------------------------------------------------------ notes from discovery/download
    def note_entry_dates(self, dated: Iterable[tuple[Key, str]],
                         folded: Iterable[tuple[Key, list[dict[str, Any]]]] = ()) -> None:
        """Entry dates seen by discovery; ``folded``: the spider's lists of later listings of an
        article (they may still grow), read again before every write."""
        for key, when in dated:
            self.entry_dates[key] = later(self.entry_dates.get(key), when)  # type: ignore[assignment]
        for key, listings in folded:
            self.folded.setdefault(key, []).append(listings)

    def _read_folded(self) -> None:
        for key, lists in self.folded.items():
            for listings in lists:
                for when in listing_dates({"listings": listings}, self.tz):
                    self.entry_dates[key] = later(self.entry_dates.get(key), when)  # type: ignore[assignment]

    def note_response(self, key: Key, status: int, etag: str | None = None, last_modified: str | None = None,
                      native_id: str | None = None, stored_id: int | None = None) -> None:
        """A response to an article request: each retry's until the first 200, which gives the
        validators stored with the article."""
        if self.responses.get(key, (0,))[0] == 200:
            return  # the article's own answer came first; a follow-up (its API record) does not count
        self.responses[key] = (status, native_id, stored_id)
        if native_id:
            self.request_keys[(key[0], native_id)] = key
        if status == 200:
            self.validators[key] = (etag, last_modified)

    def not_modified(self, article_id: int, key: Key) -> None:
        """A conditional re-check answered 304."""
        self.touches.append(Touch(id=article_id, last_seen=self._now(), entry_date=self.entry_dates.get(key),
                                  key=key))

    # ------------------------------------------------------------------ judging
    def judge(self, item: Fetched) -> Judgement:
        """Decide for one article. When the page names another URL than the one requested (its
        canonical link after a slug change or a redirect), the requested URL is also kept, as an alias
        of the article, so that discovery recognises it next time."""
        request_key = self._request_key(item)
        self.judged.update((item.key, request_key))
        text = article_text(item.lead, item.body)
        fp = fingerprint(text)
        etag, last_modified = self.validators.pop(request_key, (None, None))
        entry_date = later(self.entry_dates.get(item.key), self.entry_dates.get(request_key))
        judgement = self._judge(item, text, fp, etag, last_modified, entry_date)
        if request_key != item.key:
            now = self._now()
            alias = ArticleState(
                outlet=item.outlet, url=request_key[1], native_id=item.native_id, entry_date=entry_date, etag=etag,
                last_modified=last_modified, fingerprint=fp, first_seen=now, last_seen=now, status=DUPLICATE,
                duplicate_of=_alias_target(item, judgement), story_id=judgement.story_id)
            self.written_keys[id(alias)] = request_key
            if judgement.emit:
                self.staged[item.key].append((alias, []))
            else:
                self.to_save.append((alias, []))
        return judgement

    def _request_key(self, item: Fetched) -> Key:
        """The key of the request that fetched this article: its own URL, else the request for its
        native id."""
        if item.key in self.responses or not item.native_id:
            return item.key
        return self.request_keys.get((item.outlet, item.native_id), item.key)

    def _judge(self, item: Fetched, text: str, fp: str, etag: str | None, last_modified: str | None,
               entry_date: str | None) -> Judgement:
        now = self._now()

        earlier = self.emitted.get(item.key) or self._emitted_by_native(item)
        if earlier is not None:
            return Judgement("url", emit=False, original=earlier.url)

        stored = self._stored(item)
        if stored is not None and stored.fingerprint == fp:
            self.touches.append(Touch(stored.id, now, later(stored.entry_date, entry_date), etag,  # type: ignore[arg-type]
                                      last_modified, key=item.key))
            if stored.url != item.url:
                return Judgement("url", emit=False, original=stored.url, version=stored.version)
            return Judgement("unchanged", emit=False, version=stored.version, original=stored.url)

        signature = Signature.of_text(text, self.num_perm)
        base = ArticleState(
            outlet=item.outlet, url=stored.url if stored else item.url, native_id=item.native_id,
            entry_date=later(stored.entry_date if stored else None, entry_date), etag=etag,
            last_modified=last_modified, fingerprint=fp, published_at=item.published_at,
            modified_at=item.modified_at, first_seen=stored.first_seen if stored else now, last_seen=now,
            signature=signature.to_bytes(), id=stored.id if stored else None,
        )
        if stored is not None and stored.status == DELIVERED:
            base.version = stored.version + 1
            base.story_id = stored.story_id or story_id_for(stored.outlet, stored.url)
            base.duplicate_of = stored.duplicate_of
            base.modified_at = revision_time(item.modified_at, stored.modified_at, item.fetched_at or now)
            self._stage(item, base, signature)
            return Judgement("revised", emit=True, version=base.version, story_id=base.story_id,
                             duplicate_of=base.duplicate_of, modified_at=base.modified_at, original=stored.url)

        exact = (self.emitted_fp.get(fp) or self.store.find_fingerprint(fp)) if self.exact else None
        if exact is not None and not _same_row(exact, base):
            self._alias(base, exact, item.key)
            return Judgement("fingerprint", emit=False, original=exact.url, story_id=exact.story_id)

        if self.near:
            match, similarity = self._nearest(signature, base.id)
            if match is not None:
                story = match.story_id or story_id_for(match.outlet, match.url)
                if self.near_action == "drop":
                    self._alias(base, match, item.key)
                    return Judgement("near", emit=False, original=match.url, similarity=similarity, story_id=story)
                base.story_id, base.duplicate_of = story, match.url
                self._stage(item, base, signature)
                return Judgement("near", emit=True, story_id=story, duplicate_of=match.url,
                                 similarity=similarity, original=match.url, modified_at=item.modified_at)

        base.story_id = story_id_for(item.outlet, item.url)
        self._stage(item, base, signature)
        return Judgement("new", emit=True, story_id=base.story_id, modified_at=item.modified_at)

    def _stored(self, item: Fetched) -> ArticleState | None:
        found = self.store.find_articles(item.outlet, [item.url], [item.native_id] if item.native_id else [])
        by_url = [a for a in found if a.url == item.url]
        return (by_url or found or [None])[0]

    def _emitted_by_native(self, item: Fetched) -> ArticleState | None:
        if not item.native_id:
            return None
        url = self.emitted_native.get((item.outlet, item.native_id))
        return self.emitted.get((item.outlet, url)) if url else None

    def _nearest(self, signature: Signature, own_id: int | None) -> tuple[ArticleState | None, float]:
        candidates: dict[Any, ArticleState] = {}
        for key in self.lsh.query(signature.minhash()):
            record = self.lsh_records[key]
            candidates[(record.outlet, record.url)] = record
        for record in self.store.find_band_candidates(signature.band_keys(self.banding)):
            if own_id is None or record.id != own_id:
                candidates.setdefault((record.outlet, record.url), record)
        best, best_score = None, 0.0
        for record in candidates.values():
            if record.signature is None:
                continue
            score = signature.similarity(Signature.from_bytes(record.signature))
            if score >= self.threshold and score > best_score:
                best, best_score = record, score
        return best, best_score

    def _stage(self, item: Fetched, record: ArticleState, signature: Signature) -> None:
        record.status = DELIVERED
        self.emitted[item.key] = record
        if item.native_id:
            self.emitted_native[(item.outlet, item.native_id)] = item.url
        self.emitted_fp.setdefault(record.fingerprint or "", record)
        lsh_key = f"{item.outlet} {item.url}"
        if lsh_key not in self.lsh_records:
            self.lsh.insert(lsh_key, signature.minhash())
            self.lsh_records[lsh_key] = record
        self.staged[item.key] = [(record, signature.band_keys(self.banding))]
        self.written_keys[id(record)] = item.key

    def _alias(self, record: ArticleState, original: ArticleState, key: Key) -> None:
        self.written_keys[id(record)] = key
        record.status = DUPLICATE
        record.duplicate_of = original.url
        record.story_id = original.story_id or story_id_for(original.outlet, original.url)
        record.signature = None
        self.to_save.append((record, []))

    def finish(self) -> int:
        """At the end of the run: keep URLs that gave no article as ``gone`` / ``rejected``, and store
        entry dates noted after their article was written (an entry found later in another sitemap or
        feed), so that the next run does not take them for changes. Returns how many URLs were kept."""
        kept = self.keep_unusable()
        self._read_folded()
        for key, (article_id, written) in self.written.items():
            noted = self.entry_dates.get(key)
            if article_id is not None and noted is not None and (written is None or noted > written):
                self.touches.append(Touch(article_id, self._now(), noted, key=key))
        return kept

    def keep_unusable(self) -> int:
        """Keep URLs that gave no article as ``gone`` / ``rejected``."""
        now, kept = self._now(), 0
        for key, (status, native_id, stored_id) in self.responses.items():
            if key in self.judged or status not in (200, 404, 410) or (status == 200 and not self.judging):
                continue
            if stored_id is not None:  # known already: only seen again
                self.touches.append(Touch(stored_id, now, self.entry_dates.get(key)))
                continue
            self.to_save.append((ArticleState(
                outlet=key[0], url=key[1], native_id=native_id, entry_date=self.entry_dates.get(key),
                first_seen=now, last_seen=now, status=REJECTED if status == 200 else GONE), []))
            self.written_keys[id(self.to_save[-1][0])] = key
            kept += 1
        self.responses.clear()
        return kept

    # ------------------------------------------------------------------ delivery and writes
    def delivered(self, keys: Iterable[Key]) -> int:
        """The feeds holding these articles were stored: write their state (with the next flush, which
        follows at once). Their band keys are then in the store, where ``_nearest`` finds them, so they
        leave the run's in-memory index: it holds only articles not yet delivered (its datasketch
        storage costs ~4 KB per article; a long back-fill delivering in batches stays flat)."""
        count = 0
        for key in keys:
            key = tuple(key)  # type: ignore[assignment]
            staged = self.staged.pop(key, None)  # type: ignore[arg-type]
            if staged is not None:
                self.to_save.extend(staged)
                count += 1
                lsh_key = f"{key[0]} {key[1]}"
                if self.lsh_records.pop(lsh_key, None) is not None:
                    self.lsh.remove(lsh_key)
        return count

    def pending_writes(self) -> int:
        return len(self.to_save) + len(self.touches)

    def flush(self) -> int:
        if not self.to_save and not self.touches:
            return 0
        articles, touches = self.to_save, self.touches
        self._read_folded()
        for record, _ in articles:  # entry dates noted since the article was judged
            key = self.written_keys.get(id(record), record.key)
            record.entry_date = later(record.entry_date, self.entry_dates.get(key))
        for touch in touches:
            if touch.key is not None:
                touch.entry_date = later(touch.entry_date, self.entry_dates.get(touch.key))
        self.store.save(articles, touches)
        for record, _ in articles:
            self.written[self.written_keys.pop(id(record), record.key)] = (record.id, record.entry_date)
        for touch in touches:
            if touch.key is not None:
                self.written[touch.key] = (touch.id, later(self.written.get(touch.key, (0, None))[1], touch.entry_date))
        self.to_save, self.touches = [], []
        return len(articles) + len(touches)

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")


def _alias_target(item: Fetched, judgement: Judgement) -> str:
    """The article a requested URL stands for: the stored one it matched, or the item itself."""
    if judgement.outcome in ("unchanged", "url", "revised") or not judgement.emit:
        return judgement.original or item.url
    return item.url


def _same_row(a: ArticleState, b: ArticleState) -> bool:
    return a.key == b.key or (a.id is not None and a.id == b.id)


def revision_time(page_modified: str | None, stored_modified: str | None, fetched_at: str) -> str:
    """``modified_at`` of a new version: the page's own, when it moved past the stored one; else
    when the changed text was fetched (a silent edit)."""
    page, before = utc_iso(page_modified), utc_iso(stored_modified)
    if page is not None and (before is None or page > before):
        return page_modified  # type: ignore[return-value]
    return fetched_at
