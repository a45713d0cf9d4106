"""Write the test archives of tests/data/archives/ (run from the repository root):

    .venv/bin/python tests/data/make_archives.py [--wget]

Each file is a few KB and made by a real tool where one exists: warcio's
WARCWriter, GNU wget's --warc-file (against a local server; skipped with a
note when wget is missing), the gzip command; ARC v1 and v2 files (warcio has
no ARC writer) and the damaged files are written by the few lines below. Ids
and dates are fixed, so a re-run gives the same bytes; wget's file (its
port and dates differ every time) is made again only with --wget. `expected.json` says, per file, which capture URLs a replay must read
and whether the file is cut short; `twins/` holds WARC copies of the ARC
captures, for the ARC-equals-WARC test.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.faultsite import ARTICLES, article_html

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd

OUT = Path(__file__).resolve().parent / "archives"
HOST = "http://herald.example"
DATE = "2025-12-16T09:30:00Z"
ARC_DATE = "20251216093000"
IP = "192.0.2.10"
WORDS = sorted(
    {w.strip(".,'’") for _, paras in ARTICLES.values() for p in paras for w in p.split()}
)


def article(n: int) -> tuple[str, bytes]:
    """The URL and page of article `n`: a realistic page, its own words (no two alike)."""
    rng = random.Random(n)
    title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
    paras = [" ".join(rng.choice(WORDS) for _ in range(70)).capitalize() + "." for _ in range(5)]
    slug = "-".join(title.lower().split()[:4])
    return f"{HOST}/news/2025/12/15/{slug}-{n}.html", article_html(title, paras).encode()


def rid(name: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}>"


def http(
    body: bytes, headers: list[tuple[str, str]] | None = None, status: str = "200 OK"
) -> bytes:
    headers = headers or [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ]
    head = "\r\n".join([f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers])
    return head.encode() + b"\r\n\r\n" + body


def warc_block(
    headers: list[tuple[str, str]],
    block: bytes,
    version: str = "WARC/1.0",
    length: str | None = None,
) -> bytes:
    lines = [version] + [f"{k}: {v}" for k, v in headers]
    lines.append(f"Content-Length: {len(block) if length is None else length}")
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"


def response(
    url: str, payload: bytes, version: str = "WARC/1.0", length: str | None = None, **extra: str
) -> bytes:
    headers = [
        ("WARC-Type", "response"),
        ("WARC-Target-URI", url),
        ("WARC-Date", DATE),
        ("WARC-Record-ID", rid(url + version)),
        ("WARC-IP-Address", IP),
        ("Content-Type", "application/http; msgtype=response"),
    ]
    headers += [(k.replace("_", "-"), v) for k, v in extra.items()]
    return warc_block([h for h in headers if h[1]], payload, version, length)


def gz(records: list[bytes]) -> bytes:
    return b"".join(gzip.compress(r, mtime=0) for r in records)


def warcio_file(
    path: Path,
    numbers: list[int],
    *,
    compress: bool,
    version: str = "1.0",
    encode: dict[int, str] | None = None,
) -> list[str]:
    """Request and response records of the articles, by warcio's WARCWriter."""
    urls = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress, warc_version=version)
        for n in numbers:
            url, body = article(n)
            coding = (encode or {}).get(n)
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if coding:
                body = {"br": brotli.compress, "zstd": zstd.compress}[coding](body)
                headers.append(("Content-Encoding", coding))
            headers.append(("Content-Length", str(len(body))))
            request = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(f"GET {url} HTTP/1.1\r\n\r\n".encode()),
                warc_headers_dict={
                    "WARC-Record-ID": rid(f"req {path.name} {url}"),
                    "WARC-Date": DATE,
                },
            )
            writer.write_record(request)
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
                    warc_headers_dict={
                        "WARC-Record-ID": rid(f"{path.name} {url}"),
                        "WARC-Date": DATE,
                        "WARC-IP-Address": IP,
                        "WARC-Concurrent-To": rid(f"req {path.name} {url}"),
                    },
                )
            )
            urls.append(url)
    return urls


def arc_file(path: Path, numbers: list[int], *, version: int, compress: bool) -> list[str]:
    """An ARC file, v1 or v2: a filedesc record, then one record per capture."""
    spec = (
        "URL IP-address Archive-date Content-type Archive-length"
        if version == 1
        else "URL IP-address Archive-date Content-type Result-code Checksum Location Offset "
        "Filename Archive-length"
    )
    desc = f"{version} 0 newsbot-tests\n{spec}\n".encode()
    records = [(f"filedesc://{path.name}", "0.0.0.0", "text/plain", desc)]
    records += [(url, IP, "text/html", http(body)) for url, body in map(article, numbers)]
    out, offset = b"", 0
    for url, ip, ctype, content in records:
        extra = (
            f" 200 {hashlib.sha1(content).hexdigest()} - {offset} {path.name}"
            if version == 2
            else ""
        )
        raw = f"{url} {ip} {ARC_DATE} {ctype}{extra} {len(content)}\n".encode() + content + b"\n"
        data = gzip.compress(raw, mtime=0) if compress else raw
        out, offset = out + data, offset + len(data)
    path.write_bytes(out)
    return [r[0] for r in records[1:]]


def chunked(body: bytes, sizes: list[int | str]) -> bytes:
    """`body` in chunks; a str size is written as given (a lying chunk header)."""
    out, pos = b"", 0
    for size in sizes:
        n = size if isinstance(size, int) else len(body) - pos
        header = f"{size:x}" if isinstance(size, int) else size
        out += f"{header}\r\n".encode() + body[pos : pos + n] + b"\r\n"
        pos += n
    return out + b"0\r\n\r\n"


def damaged_files(expected: dict[str, dict[str, object]]) -> None:
    # Truncated mid-record: the third response loses its second half.
    full = gz([response(*article(n)[:1], http(article(n)[1])) for n in (20, 21, 22)])
    cut = (
        len(full) - len(gzip.compress(response(article(22)[0], http(article(22)[1])), mtime=0)) // 2
    )
    (OUT / "truncated.warc.gz").write_bytes(full[:cut])
    expected["truncated.warc.gz"] = {"urls": [article(20)[0], article(21)[0]], "cut": True}
    # A chunk header that lies (says 0x40 more bytes than the chunk holds) between good records.
    url, body = article(24)
    te = [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
    lying = chunked(body, [100, hex(len(body) - 100 + 0x40)[2:]])
    (OUT / "bad-chunk.warc.gz").write_bytes(
        gz(
            [
                response(article(23)[0], http(article(23)[1])),
                response(url, http(lying, te)),
                response(article(25)[0], http(article(25)[1])),
            ]
        )
    )
    expected["bad-chunk.warc.gz"] = {"urls": [article(23)[0]], "cut": True}
    # A corrupt gzip member in the middle: its deflate data damaged.
    members = [
        gzip.compress(response(article(n)[0], http(article(n)[1])), mtime=0) for n in (26, 27, 28)
    ]
    middle = bytearray(members[1])
    for i in range(30, len(middle) - 20, 7):
        middle[i] ^= 0x5A
    (OUT / "corrupt-member.warc.gz").write_bytes(members[0] + bytes(middle) + members[2])
    expected["corrupt-member.warc.gz"] = {"urls": [article(26)[0]], "cut": True}
    # Records whose headers parse but cannot be captures, between good ones: skipped, counted.
    (OUT / "bad-records.warc.gz").write_bytes(
        gz(
            [
                response(article(29)[0], http(article(29)[1])),
                response("", http(article(30)[1])),  # no WARC-Target-URI
                response(article(31)[0], http(article(31)[1], status="OK")),  # bad status line
                response(article(32)[0], http(article(32)[1]), length="12x"),  # bad Content-Length
                response(article(48)[0], b""),  # no HTTP message
                response(article(33)[0], http(article(33)[1])),
            ]
        )
    )
    # Uncompressed, a Content-Length 10 bytes short: warcio warns (on stderr) and goes on.
    short = response(article(37)[0], http(article(37)[1]))
    length = int(short.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    short = short.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length - 10))
    (OUT / "short-length.warc").write_bytes(
        response(article(38)[0], http(article(38)[1]))
        + short
        + response(article(39)[0], http(article(39)[1]))
    )
    expected["short-length.warc"] = {
        "urls": [article(38)[0], article(39)[0]],
        "cut": False,
        "bad_records": 1,
    }
    # Uncompressed, a Content-Length that is no number: the next WARC/ line starts the next record.
    (OUT / "bad-length.warc").write_bytes(
        response(article(57)[0], http(article(57)[1]))
        + response(article(58)[0], http(article(58)[1]), length="1 2 3")
        + response(article(59)[0], http(article(59)[1]))
    )
    expected["bad-length.warc"] = {
        "urls": [article(57)[0], article(59)[0]],
        "cut": False,
        "bad_records": 1,
    }
    # A page archived as a resource record (warcit, browser tools): no HTTP headers of its own.
    url, body = article(47)
    (OUT / "resource.warc").write_bytes(
        warc_block(
            [
                ("WARC-Type", "resource"),
                ("WARC-Target-URI", url),
                ("WARC-Date", DATE),
                ("WARC-Record-ID", rid(url)),
                ("Content-Type", "text/html"),
            ],
            body,
        )
    )
    expected["resource.warc"] = {"urls": [url], "cut": False}
    expected["bad-records.warc.gz"] = {
        "urls": [article(29)[0], article(33)[0]],
        "cut": False,
        "bad_records": 4,
    }


def old_versions_and_gzip(expected: dict[str, dict[str, object]]) -> None:
    for n, version in ((14, "WARC/0.17"), (15, "WARC/0.18")):
        name = f"warc-{version[5:]}.warc"
        (OUT / name).write_bytes(response(article(n)[0], http(article(n)[1]), version))
        expected[name] = {"urls": [article(n)[0]], "cut": False}
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "whole-file.warc"
        urls = warcio_file(plain, [16, 17, 18], compress=False)
        gzipped = subprocess.run(
            ["gzip", "-9", "-n", "-c", str(plain)], check=True, capture_output=True
        ).stdout
    (OUT / "whole-file.warc.gz").write_bytes(gzipped)
    expected["whole-file.warc.gz"] = {"urls": urls, "cut": False, "whole_file_gzip": True}


def revisit_files(expected: dict[str, dict[str, object]]) -> None:
    """An original in one file, a revisit of its payload (another URL) in the next."""
    url, body = article(34)
    urls = warcio_file(OUT / "revisit-1-original.warc.gz", [34], compress=True)
    digest = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
    copy = f"{HOST}/world/2025/12/15/syndicated-copy-34.html"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    (OUT / "revisit-2-later.warc.gz").write_bytes(
        gz(
            [
                warc_block(
                    [
                        ("WARC-Type", "revisit"),
                        ("WARC-Target-URI", copy),
                        ("WARC-Date", "2025-12-16T10:00:00Z"),
                        ("WARC-Record-ID", rid(copy)),
                        ("WARC-Payload-Digest", digest),
                        ("WARC-Refers-To", rid(f"revisit-1-original.warc.gz {url}")),
                        ("WARC-Refers-To-Target-URI", url),
                        ("WARC-Refers-To-Date", DATE),
                        (
                            "WARC-Profile",
                            "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
                        ),
                        ("Content-Type", "application/http; msgtype=response"),
                    ],
                    head,
                )
            ]
        )
    )
    expected["revisit-1-original.warc.gz"] = {"urls": urls, "cut": False}
    expected["revisit-2-later.warc.gz"] = {
        "urls": [copy],
        "cut": False,
        "original_in": "revisit-1-original.warc.gz",
    }


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def wget_file(expected: dict[str, dict[str, object]]) -> None:
    """GNU wget's own WARC of a two-article local site (it adds metadata and resource records)."""
    if (OUT / "wget.warc.gz").exists() and "--wget" not in sys.argv:
        return  # (its ports and dates change with every run: made again only when asked)
    if shutil.which("wget") is None:
        print("wget not installed: wget.warc.gz left as it is", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        links = []
        for n in (35, 36):
            url, body = article(n)
            path = url.split("/", 3)[3]
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_bytes(body)
            links.append(f'<a href="/{path}">story</a>')
        (site / "index.html").write_text(f"<html><body>{''.join(links)}</body></html>")
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        subprocess.run(
            [
                "wget",
                "-q",
                "-r",
                "-l",
                "1",
                "-P",
                str(Path(tmp) / "files"),
                f"--warc-file={Path(tmp) / 'wget'}",
                f"{base}/",
            ],
            check=False,
        )
        server.shutdown()
        shutil.copy(Path(tmp) / "wget.warc.gz", OUT / "wget.warc.gz")
        port = server.server_port
    expected["wget.warc.gz"] = {
        "port": port,
        "cut": False,
        "urls": [f"{base}/", f"{base}/robots.txt"]
        + [u.replace(HOST, base) for u in (article(35)[0], article(36)[0])],
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "twins").mkdir(exist_ok=True)
    manifest = OUT / "expected.json"
    expected: dict[str, dict[str, object]] = (
        json.loads(manifest.read_text()) if manifest.exists() else {}
    )
    expected["warcio-1.1.warc.gz"] = {
        "urls": warcio_file(OUT / "warcio-1.1.warc.gz", [1, 2, 3], compress=True, version="1.1"),
        "cut": False,
    }
    expected["warcio-1.0.warc"] = {
        "urls": warcio_file(OUT / "warcio-1.0.warc", [4, 5], compress=False),
        "cut": False,
    }
    expected["encoded.warc.gz"] = {
        "urls": warcio_file(
            OUT / "encoded.warc.gz", [6, 7], compress=True, encode={6: "br", 7: "zstd"}
        ),
        "cut": False,
    }
    for name, numbers, version, compress in (
        ("arc-v1.arc", [8], 1, False),
        ("arc-v1.arc.gz", [9, 10], 1, True),
        ("arc-v2.arc.gz", [11, 12], 2, True),
    ):
        expected[name] = {
            "urls": arc_file(OUT / name, numbers, version=version, compress=compress),
            "cut": False,
        }
        twin = OUT / "twins" / (name.replace(".", "-") + ".warc.gz")
        warcio_file(twin, numbers, compress=True)
    old_versions_and_gzip(expected)
    damaged_files(expected)
    revisit_files(expected)
    wget_file(expected)
    manifest.write_text(json.dumps(dict(sorted(expected.items())), indent=1) + "\n")


if __name__ == "__main__":
    main()
