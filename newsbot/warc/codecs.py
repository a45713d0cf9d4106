"""Working ``br`` and ``zstd`` decompressors for warcio's readers.

warcio 1.8 sets ``unused_data`` on a ``brotli.Decompressor``, which Brotli 1.2
(a Scrapy dependency) rejects with ``AttributeError``, and it has no zstd
decompressor at all, although Scrapy 2.19 asks every server for zstd: without
these adapters a replay hands such bodies on still compressed, or not at all.
warcio needs of a decompressor only ``decompress(data)`` and ``unused_data``.
"""

from __future__ import annotations

import sys

import brotli
from warcio.bufferedreaders import BufferedReader

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd


class BrotliDecompressor:
    """Brotli 1.2's ``process()`` under the name and attributes warcio uses."""

    def __init__(self) -> None:
        self._inner = brotli.Decompressor()
        self.unused_data = b""  # a body is one brotli stream; nothing is left over

    def decompress(self, data: bytes) -> bytes:
        return bytes(self._inner.process(data))

    def flush(self) -> bytes:
        return b""


class ZstdDecompressor:
    """zstd with every frame of the body decoded (a server may send several)."""

    def __init__(self) -> None:
        self._inner = zstd.ZstdDecompressor()
        self.unused_data = b""

    def decompress(self, data: bytes) -> bytes:
        out: bytes = self._inner.decompress(data)
        while self._inner.eof and self._inner.unused_data:
            rest = self._inner.unused_data
            self._inner = zstd.ZstdDecompressor()
            out += self._inner.decompress(rest)
        return out

    def flush(self) -> bytes:
        return b""


def register() -> None:
    """Make warcio decode ``br`` and ``zstd`` bodies (idempotent)."""
    BufferedReader.DECOMPRESSORS["br"] = BrotliDecompressor
    BufferedReader.DECOMPRESSORS["zstd"] = ZstdDecompressor
    # RFC 9110 asks recipients to read x-gzip as gzip; old servers still send it
    BufferedReader.DECOMPRESSORS.setdefault("x-gzip", BufferedReader.DECOMPRESSORS["gzip"])
