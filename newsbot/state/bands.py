"""LSH band keys of a MinHash signature, shared by the SQLite and Redis dedup indexes.

Both indexes file a signature under one key per band, so a copy that shares any band with
a story is a candidate; they must fold the rows to the same keys, and refuse alike an
index made with another shingling (`newsbot.dedup.SIGNATURE_VERSION`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from newsbot.dedup import Signature

RESIGN_COMMAND = "python -m newsbot.dedupstore resign ARCHIVE_DIR"


class StaleSignatures(ValueError):
    """The index holds signatures of another SIGNATURE_VERSION and no texts to re-sign it."""


def band_hashes(sig: Signature, bands: int, rows: int) -> list[tuple[int, int]]:
    """``(band, hash)`` pairs: each band's ``rows`` values folded to a signed 32-bit key.

    32 bits keep the rows small; a chance collision only adds a candidate, which the
    containment check then rejects.
    """
    values = sig.array()[: bands * rows].reshape(bands, rows).astype(np.uint64)
    h = np.zeros(bands, dtype=np.uint64)
    for col in range(rows):
        h = (h * np.uint64(0x9E3779B1) + values[:, col]) & np.uint64(0xFFFFFFFF)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
    keys = h.astype(np.uint32).view(np.int32)
    return list(zip(range(bands), keys.tolist()))
