"""warcio's readers made to raise where they would print to stderr and carry on.

warcio writes a corrupt gzip member's zlib error, a record "not followed by
newline" and digest problems to ``sys.stderr`` and goes on with a truncated body
or a normal end. The replay must know, per file and at the offset where it
happened: the file-level gzip reader, the body readers and the de-chunker below
raise instead, and what warcio still writes is caught per reading thread
(:func:`capturing`) so that it becomes one log line about the file being read.
"""

from __future__ import annotations

import re
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import warcio.archiveiterator
import warcio.bufferedreaders
import warcio.digestverifyingreader
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader, DecompressingBufferedReader


class FramingError(ValueError):
    """The file cannot be read past this point."""


class _Sink(threading.local):
    messages: list[str] | None = None


_SINK = _Sink()


class _Stderr:
    """What warcio's modules see as ``sys.stderr``: messages go to the file being read."""

    def write(self, text: str) -> int:
        if _SINK.messages is None:
            return sys.stderr.write(text)
        if text.strip():
            _SINK.messages.append(" ".join(text.split()))
        return len(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _Sys(types.ModuleType):
    """`sys` for warcio's modules, with a `stderr` we read; all else is the real `sys`."""

    stderr = _Stderr()

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


for _module in (warcio.archiveiterator, warcio.bufferedreaders, warcio.digestverifyingreader):
    _module.sys = _Sys("sys")


@contextmanager
def capturing(messages: list[str]) -> Iterator[None]:
    """warcio's stderr output, while this thread reads, goes to `messages`."""
    _SINK.messages = messages
    try:
        yield
    finally:
        _SINK.messages = None


class BodyError(ValueError):
    pass


class _StrictDecompression:
    """Raise on a decompression error after the first block (warcio prints and returns
    nothing); a first block that does not decompress is still read as not compressed."""

    error: type[ValueError] = BodyError
    decompressor: Any
    num_block_read: int

    def _decompress(self, data: bytes) -> bytes:
        if not (self.decompressor and data) or self.num_block_read == 0:
            return super()._decompress(data)  # type: ignore[misc, no-any-return]
        try:
            return bytes(self.decompressor.decompress(data))
        except Exception as exc:  # zlib.error, brotli.error, ZstdError: all mean damage
            raise self.error(f"{type(exc).__name__}: {exc}") from exc


class FileReader(_StrictDecompression, DecompressingBufferedReader):  # type: ignore[misc]
    """The file's own gzip members: once one has inflated, a member that does not is damage
    (warcio would read its compressed bytes as records)."""

    error = FramingError
    gzipped = False

    def _decompress(self, data: bytes) -> bytes:
        if self.gzipped and self.decompressor is None and data:
            raise FramingError("corrupt gzip member: not gzip data")
        if not (self.gzipped and self.decompressor and data):
            out = super()._decompress(data)
            self.gzipped = self.gzipped or bool(out and self.decompressor)
            return out
        try:
            return bytes(self.decompressor.decompress(data))
        except Exception as exc:  # zlib.error: the member is damaged
            raise FramingError(f"corrupt gzip member: {exc}") from exc


class BodyReader(_StrictDecompression, BufferedReader):  # type: ignore[misc]
    pass


_CHUNK_HEADER = re.compile(rb"[0-9A-Fa-f]+(;[^\r\n]*)?\r\n")


class ChunkedReader(_StrictDecompression, ChunkedDataReader):  # type: ignore[misc]
    """De-chunking in which a body that is not chunked at all is read as it is (warcio's
    fallback: some tools store the de-chunked body under its old header), but a chunk
    stream that breaks after a valid first chunk header raises."""

    strict = False

    @property
    def raise_chunked_data_exceptions(self) -> bool:
        return self.strict

    @raise_chunked_data_exceptions.setter
    def raise_chunked_data_exceptions(self, value: bool) -> None:
        pass  # decided per chunk header, in _try_decode

    def _try_decode(self, length_header: bytes) -> None:
        self.strict = self.strict or _CHUNK_HEADER.fullmatch(length_header) is not None
        super()._try_decode(length_header)
