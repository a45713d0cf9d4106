"""The crawl's one WARC writer, running in its own thread.

warcio is synchronous and gzip costs a few milliseconds a page, so every
write goes through a single-thread executor: the reactor only hands over
bytes, records keep their capture order, and the WarcArchive (with its SQLite
digest store) is only ever touched from that one thread.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsbot.runtime import Runtime
from newsbot.warc import Exchange, Pointer, WarcArchive, recover_open_files

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from newsbot.state import PayloadDigests

logger = logging.getLogger(__name__)


def exchange_from(request: Request, response: Response, captured_at: datetime) -> Exchange:
    """The exchange as Scrapy saw it (see the WARC module for what differs from the wire)."""
    req_headers = [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, values in request.headers.items()
        for v in values
    ]
    if not any(k.lower() == "host" for k, _ in req_headers):
        req_headers.insert(0, ("Host", urlsplit(request.url).netloc))
    resp_headers = [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, values in response.headers.items()
        for v in values
    ]
    ip = getattr(response, "ip_address", None)
    return Exchange(
        url=request.url,
        method=request.method,
        request_headers=req_headers,
        request_body=request.body or b"",
        status=response.status,
        reason=None,  # Scrapy keeps no reason phrase: the writer puts the standard one
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        response_headers=resp_headers,
        body=response.body,
        ip_address=str(ip) if ip is not None else None,
        date=captured_at,
    )


class WarcService:
    """Owns the WarcArchive; all calls return futures resolved in the writer thread."""

    def __init__(
        self, runtime: Runtime, *, prefix: str, max_size: int, cdxj: bool, info: Mapping[str, str]
    ) -> None:
        self.runtime = runtime
        self.directory = runtime.root / "warc"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="newsbot-warc")
        self.closed: list[str] = []
        self._archive: WarcArchive | None = None
        # Opened here, on the reactor thread, where the backend is; used from the writer thread.
        digests = runtime.backend.digests()
        self.executor.submit(self._open, digests, prefix, max_size, cdxj, dict(info)).result()

    @classmethod
    def open(cls, crawler: Crawler) -> WarcService:
        """A service for the crawl's WARC settings: the resources extension opens (and closes) it."""
        runtime, settings = Runtime.of(crawler), crawler.settings
        info = {name: str(settings.get(name)) for name in settings.getlist("WARC_INFO_SETTINGS")}
        info.update(
            {
                "operator": settings.get("WARC_OPERATOR"),
                "run-id": runtime.run_id,
                "spider": runtime.spider_name,
            }
        )
        return cls(
            runtime,
            prefix=settings.get("WARC_PREFIX"),
            max_size=settings.getint("WARC_MAX_SIZE"),
            cdxj=settings.getbool("WARC_CDXJ"),
            info=info,
        )

    @classmethod
    def of(cls, crawler: Crawler) -> WarcService:
        """The service the resources extension opened for this crawl."""
        service = Runtime.of(crawler).warc
        if service is None:
            raise RuntimeError(
                "no WARC service: WARC_ENABLED is off, or"
                " newsbot.extensions.resources.CrawlResources is not in EXTENSIONS"
            )
        return service

    def _open(
        self, digests: PayloadDigests, prefix: str, max_size: int, cdxj: bool, info: dict[str, str]
    ) -> None:
        for path in recover_open_files(
            self.directory, root=self.runtime.root, digests=digests, cdxj=cdxj
        ):
            logger.warning("recovered WARC left open by an interrupted run: %s", path)
        self._archive = WarcArchive(
            self.directory,
            root=self.runtime.root,
            prefix=prefix,
            max_size=max_size,
            info=info,
            host=socket.gethostname(),
            digests=digests,
            cdxj=cdxj,
            worker=getattr(self.runtime.backend, "worker", None),
        )

    @property
    def archive(self) -> WarcArchive:
        assert self._archive is not None, "WARC writer used after close"
        return self._archive

    def write_exchange(
        self, exchange: Exchange, metadata: Mapping[str, Any] | None = None
    ) -> Future[Pointer]:
        """Write the exchange and, in the same job (so right after its request record,
        where a replay looks for it), a metadata record of `metadata` about it."""

        def write() -> Pointer:
            pointer = self.archive.write_exchange(exchange)
            if metadata:
                self.archive.write_metadata(pointer, exchange.url, metadata)
            return pointer

        return self.executor.submit(write)

    def write_metadata(
        self, warc: Mapping[str, Any], url: str, fields: Mapping[str, Any]
    ) -> Future[Pointer]:
        """A metadata record about the response at `warc` (a pointer dict, as in records)."""
        about = Pointer(warc["file"], warc["offset"], warc["record_id"], "", False, "")
        return self.executor.submit(lambda: self.archive.write_metadata(about, url, fields))

    def close(self) -> None:
        """Finish pending writes, close (rename, index) the current file."""
        if self._archive is None:
            return
        closed = self.executor.submit(self.archive.close).result()
        self.closed.extend(str(p) for p in closed)
        self._archive = None
        self.executor.shutdown(wait=True)
