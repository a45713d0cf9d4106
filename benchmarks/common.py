"""What the pipeline benchmarks share: the benchmark pages as a WARC or a site,
and whole-process timing (so start-up and pool costs count, as a user sees them)."""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "benchmarks" / "article-extraction"
OUT = ROOT / "benchmarks" / "out"
PYTHON = sys.executable


def need_bench(bench: Path) -> dict[str, dict[str, str]]:
    truth = bench / "ground-truth.json"
    if not truth.exists():
        sys.exit(f"benchmark pages not found at {bench} (give --bench DIR)")
    return json.loads(truth.read_text(encoding="utf-8"))


def pages(bench: Path, count: int) -> list[tuple[str, bytes]]:
    """`count` (url, html) pairs: the benchmark pages repeated under distinct URLs."""
    truth = need_bench(bench)
    base = [
        (truth[k]["url"], gzip.decompress((bench / "html" / f"{k}.html.gz").read_bytes()))
        for k in sorted(truth)
    ]
    out = []
    for i in range(count):
        url, html = base[i % len(base)]
        out.append((copy_url(url, i // len(base)), html))
    return out


def make_warc(bench: Path, out: Path | None = None) -> Path:
    """The benchmark pages packed by the benchmark's own tool, ../shared/tools/make_warc.py."""
    out = out or OUT / "article-extraction.warc.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [PYTHON, str(SHARED / "tools" / "make_warc.py"), str(out), "--bench", str(bench)],
        check=True,
        capture_output=True,
    )
    return out


def make_newsdev_warc(out: Path | None = None) -> Path:
    """The news-dev pages packed by their own tool, ../shared/tools/make_newsdev_warc.py."""
    out = out or OUT / "news-dev.warc.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [PYTHON, str(SHARED / "tools" / "make_newsdev_warc.py"), str(out)],
        check=True,
        capture_output=True,
    )
    return out


def copy_url(url: str, copy: int) -> str:
    """The address of the `copy`-th repetition of a page (the page's own for 0)."""
    return url if copy == 0 else f"{url}{'&' if '?' in url else '?'}copy={copy}"


def repeat_warc(src: Path, out: Path, count: int) -> Path:
    """`src`'s captures (make_warc.py's response + request pairs) repeated under distinct
    URLs up to `count` pages: the same records, each copy at its own address."""
    with open(src, "rb") as fh:
        captures = [
            (
                rec.rec_headers.get_header("WARC-Target-URI"),
                rec.http_headers,
                rec.content_stream().read(),
            )
            for rec in ArchiveIterator(fh)
            if rec.rec_type == "response"
        ]
    with open(out, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                out.name, {"software": "benchmarks/common.py", "source": src.name}
            )
        )
        for i in range(count):
            url, http_headers, body = captures[i % len(captures)]
            url = copy_url(url, i // len(captures))
            resp = writer.create_warc_record(
                url, "response", payload=BytesIO(body), http_headers=http_headers
            )
            req = writer.create_warc_record(
                url, "request", payload=BytesIO(b""), http_headers=_request_headers(url)
            )
            req.rec_headers.add_header(
                "WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID")
            )
            writer.write_record(resp)
            writer.write_record(req)
    return out


def _request_headers(url: str) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return StatusAndHeaders(
        f"GET {target} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True
    )


def write_warc(path: Path, items: list[tuple[str, bytes]]) -> Path:
    """A WARC as a crawl would have captured the pages (request + response each)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body in items:
            req = writer.create_warc_record(
                url, "request", payload=BytesIO(b""), http_headers=_request_headers(url)
            )
            resp = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                http_headers=StatusAndHeaders(
                    "200 OK",
                    [
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("Content-Length", str(len(body))),
                    ],
                    protocol="HTTP/1.1",
                ),
            )
            writer.write_record(resp)
            writer.write_record(req)
    return path


@dataclass
class Timed:
    seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str


def run_timed(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> Timed:
    """Run a whole process; wall time and the peak RSS of its largest process."""
    wrapper = (
        "import resource, subprocess, sys, json; p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "print(json.dumps({'rc': p.returncode, 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        "'out': p.stdout[-4000:], 'err': p.stderr[-4000:]}))"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, "-c", wrapper, *cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    seconds = time.perf_counter() - start
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result['rc']}):\n{result['err']}")
    return Timed(seconds, result["rss"] / 1024, result["out"], result["err"])


LOOP = """
import sys
from warcio.archiveiterator import ArchiveIterator
{setup}
n = 0
with open(sys.argv[1], "rb") as fh:
    for rec in ArchiveIterator(fh):
        if rec.rec_type != "response":
            continue
        url, body = rec.rec_headers.get_header("WARC-Target-URI"), rec.content_stream().read()
        {call}
        n += 1
print(n)
"""


def plain_loop(warc: Path) -> Timed:
    """The baseline users compare with: one process, trafilatura defaults with metadata."""
    code = LOOP.format(
        setup="import trafilatura",
        call="trafilatura.bare_extraction("
        'body.decode("utf-8", "replace"), url=url, with_metadata=True)',
    )
    return run_timed([PYTHON, "-c", code, str(warc)])


def own_loop(warc: Path) -> Timed:
    """newsbot's own per-page work (same options and fallbacks), one process."""
    code = LOOP.format(
        setup="from newsbot.extraction.page import process_page",
        call='process_page(url, body, "utf-8", {})',
    )
    return run_timed([PYTHON, "-c", code, str(warc)])


def replay_archive(warc: Path, *settings: str) -> tuple[Timed, list[str]]:
    """`scrapy crawl replay` of the WARC with every pipeline on, as a whole process
    (`settings`: more `-s NAME=VALUE`); its time and the JSONL lines it wrote
    (canonical records, then duplicates)."""
    with tempfile.TemporaryDirectory() as archive:
        cmd = [
            PYTHON,
            "-m",
            "scrapy",
            "crawl",
            "replay",
            "-a",
            f"warc={warc}",
            "-s",
            f"ARCHIVE_DIR={archive}",
            "-s",
            "NEWSBOT_PROGRESS_INTERVAL=0",
            "-s",
            "LOG_LEVEL=WARNING",
        ]
        timed = run_timed([*cmd, *(arg for s in settings for arg in ("-s", s))], cwd=ROOT)
        lines = [
            line
            for path in sorted(Path(archive, "articles").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
            if line
        ]
    return timed, lines


def rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
