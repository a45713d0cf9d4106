"""newsbot beside news-please on the same 181 pages: speed and extraction F1.

    python benchmarks/peers.py [--bench DIR]

news-please pins its own versions of shared packages, so it is installed in a
virtualenv of its own (benchmarks/out/peers-venv, built on first use). Each
system runs as a whole process over the same pages in the same run:
news-please's `NewsPlease.from_html(html, url=url)` in a loop, and newsbot's
`scrapy crawl replay` over a WARC of those pages (full pipeline). Texts are
scored with ../shared/tools/score_extraction.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from common import BENCH, OUT, PYTHON, ROOT, make_warc, replay_archive, run_timed
from extraction import load_pages, score_jsonl

VENV = OUT / "peers-venv"
NEWS_PLEASE_LOOP = """
import gzip, json, sys, logging
from pathlib import Path
logging.disable(logging.CRITICAL)
from newsplease import NewsPlease
bench, out = Path(sys.argv[1]), open(sys.argv[2], "w", encoding="utf-8")
truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
for key in sorted(truth):
    html = gzip.decompress((bench / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
    try:
        article = NewsPlease.from_html(html, url=truth[key]["url"], fetch_images=False)
        text = article.maintext or ""
    except Exception:  # a peer's failure is its score, not ours to raise
        text = ""
    out.write(json.dumps({"url": truth[key]["url"], "text": text}) + "\\n")
"""


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([PYTHON, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-U", "pip"], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "news-please", "lxml_html_clean"],
            check=True,
        )
    return python


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bench", type=Path, default=BENCH)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    pages = load_pages(args.bench)
    python = ensure_venv()
    np_out = OUT / "peers-news-please.jsonl"
    np_run = run_timed([str(python), "-c", NEWS_PLEASE_LOOP, str(args.bench), str(np_out)])
    warc = make_warc(args.bench)
    ours, lines = replay_archive(warc)
    nb_out = OUT / "peers-newsbot.jsonl"
    nb_out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    n = len(pages)
    print(f"peers on {n} pages (whole processes, same run)")
    print(f"{'':30}{'pages/s':>9}{'F1':>8}{'P':>8}{'R':>8}")
    for name, timed, path in (
        ("news-please from_html loop", np_run, np_out),
        ("newsbot replay, full pipeline", ours, nb_out),
    ):
        s = score_jsonl(path, args.bench)
        print(
            f"{name:30}{n / timed.seconds:9.1f}{s['f1']:8.3f}{s['precision']:8.3f}{s['recall']:8.3f}"
        )
    print(f"speed ratio newsbot / news-please: {np_run.seconds / ours.seconds:.2f}x")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "benchmarks"))
    main()
