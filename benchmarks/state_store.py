"""Crawl-state cost per article with 10k, 100k and 1M articles already stored: does it stay flat?

    python -m benchmarks.state_store [--sizes 10000 100000 1000000] [--backend sqlite|postgresql|both]

For each size, in a fresh subprocess (so that peak memory is that size's alone): a new state (an
SQLite file in a temp folder, or a database on a throw-away PostgreSQL server on 127.0.0.1 started
like the tests do) is filled with N synthetic articles (random fingerprints and MinHash signatures,
their LSH band keys: 14 per article), loaded in bulk; then, through the store API the crawl uses:

* lookup     ``find_articles`` for a batch of 200 discovered URLs (half stored, half new), as the
             incremental middleware does, per URL;
* insert     ``save`` of new articles with their band keys, 500 per transaction (``synchronous=FULL``
             for SQLite), as delivery does, per article;
* exact      ``find_fingerprint`` per article;
* near       the near-duplicate check per article: ``find_band_candidates`` on the article's 14 band
             keys plus the similarity of each candidate; and, apart, the MinHash of a 300-word text
             (CPU, the same at every size);
* peak RSS   of the measuring process, and the state's size on disk.

Figures are medians of 5 rounds of 2,000 operations (lookup, insert) or 1,000 (exact, near).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from crawler.state import ArticleState, open_store
from crawler.state.fingerprint import Banding, Signature
from crawler.state.matching import story_id_for

NUM_PERM = 64
BANDING = Banding.for_threshold(0.5, NUM_PERM)
OUTLET = "bench"
WORDS = ("the a of to in and said on for that with was as by at from his it an were are which this be has "
         "kremlin ministry court regional governor moscow ukraine war army drone attack ruble bank rate "
         "prices oil gas export budget election opposition journalist media foreign agent law police "
         "protest arrest detained sentenced years prison official spokesman president putin government "
         "region siberia fire forest smoke city residents school hospital doctors village road bridge").split()


def url(i: int) -> str:
    return f"https://www.example.org/2024/{1 + i % 12:02d}/{1 + i % 28:02d}/article-{i}-a{i}"


def row(i: int, rng: np.random.Generator) -> tuple[ArticleState, list[int]]:
    values = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    signature = Signature(values)
    article = ArticleState(outlet=OUTLET, url=url(i), native_id=f"a{i}", entry_date="2024-01-01T00:00:00+00:00",
                           etag=f'"{i:x}"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
                           fingerprint=f"{int(rng.integers(0, 2**62)):032x}", published_at="2024-01-01T00:00:00+03:00",
                           first_seen="2024-01-01T00:00:00+00:00", last_seen="2024-01-01T00:00:00+00:00",
                           story_id=story_id_for(OUTLET, url(i)), signature=signature.to_bytes(), id=i + 1)
    return article, signature.band_keys(BANDING)


COLUMNS = ("id", "outlet", "url", "native_id", "entry_date", "etag", "last_modified", "fingerprint", "version",
           "published_at", "modified_at", "first_seen", "last_seen", "story_id", "duplicate_of", "status", "signature")


def fill(store, backend: str, size: int, chunk: int = 20000) -> float:
    """Bulk-load ``size`` articles (not through save(): that is what is measured afterwards)."""
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    for start in range(0, size, chunk):
        rows = [row(i, rng) for i in range(start, min(size, start + chunk))]
        articles = [tuple(getattr(a, c) for c in COLUMNS) for a, _ in rows]
        bands = sorted((key, a.id) for a, keys in rows for key in keys)
        if backend == "sqlite":
            with store.transaction():
                marks = ", ".join("?" * len(COLUMNS))
                store.conn.executemany(f"INSERT INTO articles ({', '.join(COLUMNS)}) VALUES ({marks})", articles)
                store.conn.executemany("INSERT INTO bands (key, article) VALUES (?, ?)", bands)
        else:
            with store.transaction(), store.conn.cursor() as cur:
                with cur.copy(f"COPY articles ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for values in articles:
                        copy.write_row(values)
                with cur.copy("COPY bands (key, article) FROM STDIN") as copy:
                    for values in bands:
                        copy.write_row(values)
    if backend == "postgresql":
        store.conn.execute(f"ALTER TABLE articles ALTER COLUMN id RESTART WITH {size + 1}")
        store.conn.execute("ANALYZE")
    return time.perf_counter() - started


def text(rng: random.Random, words: int = 300) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def timed(fn, count: int, rounds: int = 5) -> float:
    """Median over ``rounds`` of the time per operation (µs) of ``fn(count)``."""
    results = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn(count)
        results.append((time.perf_counter() - started) / count * 1e6)
    return statistics.median(results)


def measure(backend: str, url_: str, size: int) -> dict:
    store = open_store(url_)
    store.connect()
    loaded = fill(store, backend, size) if size else 0.0
    rng = np.random.default_rng(2)
    pick = random.Random(3)
    next_id = [size]

    def lookup(count: int) -> None:
        for _ in range(count // 200):
            known = [pick.randrange(size) for _ in range(100)] if size else []
            fresh = [size + 10_000_000 + pick.randrange(10_000_000) for _ in range(200 - len(known))]
            ids = known + fresh
            store.find_articles(OUTLET, [url(i) for i in ids], [f"a{i}" for i in ids])

    def insert(count: int) -> None:
        for _ in range(count // 500):
            batch = []
            for _ in range(500):
                article, keys = row(next_id[0], rng)
                article.id = None
                next_id[0] += 1
                batch.append((article, keys))
            store.save(batch)

    def exact(count: int) -> None:
        for _ in range(count):
            store.find_fingerprint(f"{pick.getrandbits(120):032x}")

    probes = [Signature(rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)) for _ in range(1000)]
    if size:  # a few probes are near-duplicates of stored articles: candidates to verify
        for n in range(0, 1000, 10):
            stored = store.find_articles(OUTLET, [url(pick.randrange(size))], [])[0]
            values = np.frombuffer(stored.signature, dtype="<u4").copy()
            values[: NUM_PERM // 4] = rng.integers(0, 2**32, size=NUM_PERM // 4, dtype=np.uint32)
            probes[n] = Signature(values)

    def near(count: int) -> None:
        for signature in probes[:count]:
            for candidate in store.find_band_candidates(signature.band_keys(BANDING)):
                signature.similarity(Signature.from_bytes(candidate.signature))

    texts = [text(pick) for _ in range(200)]

    def minhash(count: int) -> None:
        for n in range(count):
            Signature.of_text(texts[n % len(texts)], NUM_PERM)

    result = {
        "backend": backend, "size": size, "load_s": round(loaded, 1),
        "lookup_us": timed(lookup, 2000), "insert_us": timed(insert, 2000),
        "exact_us": timed(exact, 1000), "near_db_us": timed(near, 1000), "minhash_us": timed(minhash, 200, 3),
    }
    result["lookup_insert_us"] = result["lookup_us"] + result["insert_us"]
    result["articles_after"] = store.count_articles()
    store.close()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def child(backend: str, size: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="state-bench-"))
    server = None
    try:
        if backend == "sqlite":
            url_ = f"sqlite:///{tmp}/state.sqlite"
        else:
            from tests.pgserver import PostgresServer

            server = PostgresServer().start()
            url_ = server.url
        result = measure(backend, url_, size)
        if backend == "sqlite":
            result["disk_mb"] = sum(f.stat().st_size for f in tmp.iterdir()) / 2**20
        else:
            import psycopg

            with psycopg.connect(url_) as conn:
                result["disk_mb"] = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20
        return result
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    header = (f"{'backend':<10} {'stored':>9} {'lookup':>8} {'insert':>8} {'look+ins':>9} {'exact':>7} "
              f"{'near(db)':>9} {'minhash':>8} {'peak RSS':>9} {'on disk':>8} {'load':>7}")
    print(header + "\n" + " " * 21 + "µs/article" + " " * 40 + "MB" + " " * 7 + "MB" + " " * 6 + "s")
    for backend in backends:
        for size in args.sizes:
            proc = subprocess.run([sys.executable, "-m", "benchmarks.state_store", "--child", backend, str(size)],
                                  capture_output=True, text=True, env={**os.environ})
            if proc.returncode:
                print(proc.stderr[-2000:], file=sys.stderr)
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{backend:<10} {size:>9,} {r['lookup_us']:>8.1f} {r['insert_us']:>8.1f} {r['lookup_insert_us']:>9.1f} "
                  f"{r['exact_us']:>7.1f} {r['near_db_us']:>9.1f} {r['minhash_us']:>8.0f} {r['peak_rss_mb']:>9.0f} "
                  f"{r['disk_mb']:>8.0f} {r['load_s']:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
