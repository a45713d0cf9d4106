"""newsbot.failures: one readable key per failed fetch (the summary's `newsbot/...` names)."""

from __future__ import annotations


def test_failure_keys() -> None:
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
    from scrapy.http import Response
    from scrapy.spidermiddlewares.httperror import HttpError

    from newsbot.downloadermiddlewares.guard import RefusedRequest
    from newsbot.failures import FetchFault, describe, failure_key

    http = HttpError(Response("http://a.example/", status=503), "Ignoring non-200 response")
    assert failure_key(http) == "http/503" and describe(http) == "HTTP 503"
    assert failure_key(DownloadTimeoutError("took longer")) == "errors/DownloadTimeoutError"
    assert failure_key(DownloadCancelledError("")) == "errors/maxsize"
    assert failure_key(IgnoreRequest("max redirections reached")) == "errors/redirect_max"
    assert failure_key(FetchFault("truncated_gzip", "cut")) == "errors/truncated_gzip"
    for ignored in (
        IgnoreRequest("Filtered offsite request to 'x'"),
        IgnoreRequest("Forbidden by robots.txt"),
        RefusedRequest("refused by the guard"),
    ):
        assert failure_key(ignored) is None
