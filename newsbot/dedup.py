"""Near-duplicate detection for syndicated stories: MinHash signatures over word shingles.

A signature is computed in worker processes (pure, picklable, ~0.6 kB) and claimed in
the state backend's dedup index (SQLite: :class:`newsbot.state.sqlite_dedup.DedupIndex`,
also importable from :mod:`newsbot.dedupstore`), whose LSH bands live in the state file.

Shingles are 5-word windows of NFKC-normalised, casefolded word tokens, taken within each
paragraph (so reordered or dropped paragraphs cost no shingles but their own). Scripts
written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese) are
shingled by characters instead (windows of SHINGLE_CHARS), with their own minimum: a
space-separated "word" there is a whole clause or sentence. This is done after
:func:`~newsbot.wires.strip_syndication` removed datelines, credit lines and disclaimers.
Known British/American spelling pairs are folded to one form, so "programme"/"program"
do not break five shingles each.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from newsbot.wires import strip_syndication

if TYPE_CHECKING:
    from collections.abc import Iterable

    from datasketch import MinHash

NUM_PERM = 128
SHINGLE_WORDS = 5
MIN_SHINGLES = 25  # about two sentences: below this, sameness cannot be judged
SHINGLE_CHARS = 4  # in scripts without word spaces: about two words (chosen on real zh/ja text)
MIN_CHAR_SHINGLES = 60  # about two sentences of Chinese or Japanese
SEED = 1
SCHEME = "affine32"  # datasketch 2.0's bias-free default; stored as uint32
SIGNATURE_VERSION = f"minhash-{SCHEME}-p{NUM_PERM}-seed{SEED}-w{SHINGLE_WORDS}-c{SHINGLE_CHARS}-v2"

# Han, kana, Thai, Lao, Khmer, Burmese: no spaces between words, one token per character.
_UNSPACED = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f"
)
_TOKEN_RE = re.compile(rf"[{_UNSPACED}]|(?:(?![{_UNSPACED}])\w)+")
_UNSPACED_RE = re.compile(rf"[{_UNSPACED}]")
# Folded one way, consistently on both sides: only equality of tokens matters.
_SPELLING = [
    (re.compile(r"(?<=\w\w)our(s|ed|ing|ite|ites|able)?$"), r"or\1"),  # colour, favourite
    (re.compile(r"(?<=\w\w)is(e|es|ed|ing|ation|ations)$"), r"iz\1"),  # organise
    (re.compile(r"(?<=\w\w)ys(e|es|ed|ing)$"), r"yz\1"),  # analyse
    (re.compile(r"(?<=\w\w)tre(s)?$"), r"ter\1"),  # centre, theatre
    (re.compile(r"(?<=\w\w)ll(ed|ing|er|ers)$"), r"l\1"),  # travelled, cancelling
    (re.compile(r"(?<=\w\w)ence$"), "ense"),  # defence, licence
    (re.compile(r"(?<=\w\w)ogue(s)?$"), r"og\1"),  # catalogue
    (re.compile(r"^programme(s|d)?$"), r"program\1"),
]


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """The empty MinHash every signature starts from. datasketch (and scipy under it)
    is imported here, on first use: the crawl process only compares signatures."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


@dataclass(frozen=True, slots=True)
class Signature:
    """A text's MinHash values (NUM_PERM little-endian uint32) and its number of shingles."""

    hashvalues: bytes
    size: int
    minimum: int = MIN_SHINGLES  # fewer shingles than this, in the text's script: too short

    @property
    def too_short(self) -> bool:
        """True when the text had too few shingles to be judged: it never matches."""
        return self.size < self.minimum

    def array(self) -> np.ndarray:
        return np.frombuffer(self.hashvalues, dtype="<u4")


@lru_cache(maxsize=1 << 16)
def _fold(token: str) -> str:
    if len(token) < 5:
        return token
    for pattern, repl in _SPELLING:
        token = pattern.sub(repl, token)
    return token


def shingles(text: str) -> set[bytes]:
    """The shingles of one text, UTF-8 encoded, after its syndication marks are removed."""
    return _shingles(text)[0]


def _shingles(text: str) -> tuple[set[bytes], int]:
    """(shingles, the minimum number of them that can be judged, by the text's script)."""
    text = unicodedata.normalize("NFKC", strip_syndication(text)).casefold()
    found: set[bytes] = set()
    by_char = 0
    for paragraph in text.split("\n"):
        tokens = [_fold(t) for t in _TOKEN_RE.findall(paragraph)]
        unspaced = sum(1 for t in tokens if _UNSPACED_RE.match(t))
        width = SHINGLE_CHARS if 2 * unspaced > len(tokens) else SHINGLE_WORDS
        windows = max(1, len(tokens) - width + 1) if tokens else 0
        new = {" ".join(tokens[i : i + width]).encode() for i in range(windows)}
        by_char += len(new) if width == SHINGLE_CHARS else -len(new)
        found |= new
    return found, MIN_CHAR_SHINGLES if by_char > 0 else MIN_SHINGLES


def _signature(minhash: MinHash, size: int, minimum: int) -> Signature:
    return Signature(minhash.hashvalues.astype("<u4").tobytes(), size, minimum)


def make_signature(text: str) -> Signature:
    """The signature of one article text: pure and cheap, safe to run in a worker process."""
    found, minimum = _shingles(text)
    minhash = _template().copy()
    minhash.update_batch(found)
    return _signature(minhash, len(found), minimum)


def make_signatures(texts: Iterable[str]) -> list[Signature]:
    """Signatures of many texts through datasketch's bulk path (one permutation setup)."""
    from datasketch import MinHash

    found = [_shingles(t) for t in texts]
    bulk = MinHash.bulk([s for s, _ in found], num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    return [_signature(m, len(s), minimum) for m, (s, minimum) in zip(bulk, found)]


def jaccard(a: Signature, b: Signature) -> float:
    """The MinHash estimate of the Jaccard similarity of two shingle sets."""
    return float(np.count_nonzero(a.array() == b.array())) / NUM_PERM


def containment(j: float, size_a: int, size_b: int) -> float:
    """Share of the smaller set found in the larger, from their Jaccard estimate and sizes.

    |A∩B| = J(|A|+|B|)/(1+J); a trimmed or extended copy keeps a high containment while
    its Jaccard similarity falls with the size difference.
    """
    smaller = min(size_a, size_b)
    if smaller <= 0:
        return 0.0
    return min(1.0, j * (size_a + size_b) / ((1.0 + j) * smaller))
