"""What the crawl state keeps about an article's text: an exact fingerprint and a MinHash signature.

* ``normalise_text``: NFKC, case-folded, every run of non-word characters collapsed to one space. Two
  bodies that differ only in punctuation, quotes, dashes, spacing or case have the same normal form.
* ``fingerprint``: SHA-256 (first 128 bits, hex) of the normal form of the lead and body. Equal
  fingerprints mean the same text: a revision check (same URL) or an exact duplicate (other URL).
* ``Signature``: a MinHash (datasketch, ``affine32`` scheme, ``num_perm`` permutations) of the set of
  word 3-shingles of the normal form. The share of equal slots in two signatures estimates the Jaccard
  similarity of the two shingle sets. ``band_keys`` cuts it into the LSH bands that datasketch's
  ``MinHashLSH`` chooses for a threshold, one signed 64-bit key per band, so that stored articles can
  be looked up by band in an SQL index (two texts are candidates when they share a band key).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 3
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
_NON_WORD = re.compile(r"[\W_]+")


def normalise_text(text: str | None) -> str:
    """Lower-case words separated by single spaces (letters and digits of any script are kept)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _NON_WORD.sub(" ", text).strip()


def article_text(lead: str | None, body: str | None) -> str:
    """The text an article is compared by: its lead (when set apart) and its body; not the headline."""
    return "\n\n".join(part for part in (lead, body) if part)


def fingerprint(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:32]


def shingles(normal: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = normal.split()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@dataclass(frozen=True)
class Banding:
    """The LSH bands for a similarity threshold, as datasketch's MinHashLSH picks them."""

    threshold: float
    num_perm: int
    bands: int
    rows: int

    @classmethod
    @lru_cache(maxsize=16)
    def for_threshold(cls, threshold: float, num_perm: int) -> Banding:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        return cls(threshold, num_perm, lsh.b, lsh.r)

    def new_index(self) -> MinHashLSH:
        """An empty in-memory datasketch index with these bands (for the articles of one run)."""
        return MinHashLSH(num_perm=self.num_perm, params=(self.bands, self.rows))


class Signature:
    """A MinHash signature of a text's word shingles."""

    __slots__ = ("values",)

    def __init__(self, values: np.ndarray) -> None:
        self.values = values.astype(np.uint32, copy=False)

    @classmethod
    def of_text(cls, text: str, num_perm: int) -> Signature:
        return cls.of_minhash(minhash_of(text, num_perm))

    @classmethod
    def of_minhash(cls, minhash: MinHash) -> Signature:
        return cls(minhash.hashvalues)

    @classmethod
    def from_bytes(cls, raw: bytes) -> Signature:
        return cls(np.frombuffer(raw, dtype="<u4"))

    def to_bytes(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    def minhash(self) -> MinHash:
        return MinHash(hashvalues=self.values, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets (0 when the sizes differ)."""
        if len(self.values) != len(other.values):
            return 0.0
        return float(np.count_nonzero(self.values == other.values)) / len(self.values)

    def band_keys(self, banding: Banding) -> list[int]:
        """One signed 64-bit key per band: BLAKE2b of the band number and the band's values."""
        keys = []
        raw = self.values.astype("<u4")
        for band in range(banding.bands):
            chunk = raw[band * banding.rows:(band + 1) * banding.rows].tobytes()
            digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys


def minhash_of(text: str, num_perm: int) -> MinHash:
    minhash = MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    grams = shingles(normalise_text(text))
    if grams:
        minhash.update_batch(grams)
    return minhash
