"""The traps: listeners that count the connections a working guard never lets happen, and a
resolver for made-up host names that lead to them."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from support.faultsite.content import TRAP_HOST


@dataclass
class Trap:
    """A listener on 127.0.0.9 that counts every connection made to it."""

    host: str = TRAP_HOST
    connections: int = 0
    sock: socket.socket | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        assert self.sock is not None
        return f"http://{self.host}:{self.sock.getsockname()[1]}"

    def start(self) -> Trap:
        self.sock = socket.create_server((self.host, 0))
        self.sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, name="trap", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self.sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            with contextlib.suppress(OSError):
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 24\r\n"
                    b"Connection: close\r\n\r\n<html><p>trap</p></html>"
                )
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        if self.sock is not None:
            self.sock.close()


def stub_resolver_class() -> type:
    from scrapy.resolver import CachingThreadedResolver
    from twisted.internet import defer

    class StubResolver(CachingThreadedResolver):
        """Scrapy's resolver, plus made-up names from the FAULTSITE_HOSTS setting (name=ip,...).

        Used as DNS_RESOLVER, it answers for the downloader and for the guard alike, so a
        guard that let `internal.test` through would really connect to the trap.
        """

        hosts: dict[str, str]  # set by from_crawler

        @classmethod
        def from_crawler(cls, crawler: Any, reactor: Any) -> Any:
            resolver = super().from_crawler(crawler, reactor)
            pairs = crawler.settings.getlist("FAULTSITE_HOSTS")
            resolver.hosts = dict(p.split("=", 1) for p in pairs)
            return resolver

        def getHostByName(self, name: str, timeout: Any = None) -> Any:
            if name in self.hosts:
                return defer.succeed(self.hosts[name])
            return super().getHostByName(name, timeout)

    return StubResolver
