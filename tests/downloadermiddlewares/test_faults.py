"""FaultMiddleware: broken compressed bodies and redirect loops fail their request, named."""

from __future__ import annotations

import gzip
import re
import time
import zlib
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse

from newsbot.downloadermiddlewares.faults import FaultMiddleware, compressed_body_fault
from newsbot.failures import FetchFault
from newsbot.spiders.news import NewsSpider
from support import faultsite
from support.crawler import build, crawler_for

MAXSIZE = 4 * 1024 * 1024
PAGE = faultsite.article_html(*faultsite.ARTICLES["river-cleanup"]).encode()
GZ = gzip.compress(PAGE, mtime=0)
ZL = zlib.compress(PAGE)


@pytest.mark.parametrize(
    "body,encoding,kind",
    [
        (GZ, b"gzip", None),
        (GZ + GZ, b"gzip", None),
        (GZ + b"\0\0", b"gzip", None),
        (
            GZ[:-6] + bytes([GZ[-6] ^ 1]) + GZ[-5:],
            b"gzip",
            None,
        ),  # bad CRC, whole stream: as Scrapy
        (GZ[: len(GZ) // 2], b"gzip", "truncated_gzip"),
        (GZ[:12], b"gzip", "truncated_gzip"),
        (b"not gzip at all", b"gzip", "corrupt_gzip"),
        (ZL, b"deflate", None),
        (ZL[2:-4], b"deflate", None),  # zlib-wrapped, and raw as some servers send
        (ZL[:40], b"deflate", "truncated_gzip"),
    ],
)
def test_compressed_body_faults(body: bytes, encoding: bytes, kind: str | None) -> None:
    fault = compressed_body_fault(body, encoding, MAXSIZE)
    assert (fault.kind if fault else None) == kind


def test_gzip_bomb_is_judged_without_inflating_it_all() -> None:
    started = time.monotonic()
    fault = compressed_body_fault(faultsite.gzip_bomb(), b"gzip", MAXSIZE)
    assert fault is not None and fault.kind == "maxsize"
    assert time.monotonic() - started < 1


@pytest.fixture
def middleware(tmp_path: Path) -> FaultMiddleware:
    with crawler_for(
        NewsSpider, tmp_path, {"DOWNLOAD_MAXSIZE": MAXSIZE}, url="http://news.example/"
    ) as crawler:
        return build(FaultMiddleware, crawler)


def response(url: str, body: bytes = b"", status: int = 200, **headers: str) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body, headers=headers)


def test_a_cut_gzip_body_fails_its_request(middleware: FaultMiddleware) -> None:
    assert middleware.max_size == MAXSIZE  # from DOWNLOAD_MAXSIZE
    request = Request("http://news.example/a.html")
    whole = response(request.url, GZ, **{"Content-Encoding": "gzip"})
    assert middleware.process_response(request, whole) is whole
    with pytest.raises(FetchFault) as fault:
        middleware.process_response(
            request, response(request.url, GZ[:200], **{"Content-Encoding": "gzip"})
        )
    assert fault.value.kind == "truncated_gzip"
    head = Request(request.url, method="HEAD")  # a HEAD has no body to judge
    assert middleware.process_response(
        head, response(request.url, GZ[:200], **{"Content-Encoding": "gzip"})
    )


def test_a_per_request_maxsize_is_obeyed(middleware: FaultMiddleware) -> None:
    request = Request("http://news.example/a.html", meta={"download_maxsize": 1000})
    with pytest.raises(FetchFault) as fault:
        middleware.process_response(
            request, response(request.url, GZ, **{"Content-Encoding": "gzip"})
        )
    assert fault.value.kind == "maxsize"


def test_a_redirect_back_into_its_chain_is_a_loop(middleware: FaultMiddleware) -> None:
    request = Request("http://news.example/b", meta={"redirect_urls": ["http://news.example/a"]})
    onward = response(request.url, status=302, Location="/c")
    assert middleware.process_response(request, onward) is onward
    loop = "redirect loop: http://news.example/a -> http://news.example/b -> http://news.example/a"
    with pytest.raises(FetchFault, match=re.escape(loop)):
        middleware.process_response(request, response(request.url, status=301, Location="/a"))


def test_faults_can_be_switched_off(tmp_path: Path) -> None:
    with (
        crawler_for(NewsSpider, tmp_path, {"FAULTS_ENABLED": False}, url="http://a.example/") as c,
        pytest.raises(NotConfigured),
    ):
        build(FaultMiddleware, c)
