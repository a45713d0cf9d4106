"""The WARC layer: capture HTTP exchanges into WARC files and read them back.

Pure Python over warcio (no Scrapy): the capture middleware and the replay
spider are thin adapters over these names.
"""

from __future__ import annotations

from newsbot.warc.headers import Exchange, Pointer
from newsbot.warc.index import DigestStore, Original, payload_digest, write_cdxj
from newsbot.warc.reader import Capture, ReadReport, iter_captures
from newsbot.warc.recovery import Recovered, recover_open_file, recover_open_files
from newsbot.warc.wacz import make_wacz
from newsbot.warc.writer import WarcArchive

__all__ = [
    "Capture",
    "DigestStore",
    "Exchange",
    "Original",
    "Pointer",
    "ReadReport",
    "Recovered",
    "WarcArchive",
    "iter_captures",
    "make_wacz",
    "payload_digest",
    "recover_open_file",
    "recover_open_files",
    "write_cdxj",
]
