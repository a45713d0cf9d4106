"""Replay: the archive alone, offline, gives the same records as the live crawl."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from support.crawls import COMPARED, SHARED, read_jsonl, records, run_scrapy

pytestmark = pytest.mark.slow  # end to end: real crawls in subprocesses


def by_id(recs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in recs}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, demo_archive: Path) -> Path:
    """The demo archive and its replay (into a copy: the shared archive stays as crawled)."""
    archive = tmp_path_factory.mktemp("live") / "archive"
    shutil.copytree(demo_archive, archive)
    return archive


def test_replay_of_demo_gives_the_same_records(live: Path, article_schema: Any) -> None:
    before = sorted((live / "warc").iterdir())
    proc = run_scrapy("crawl", "replay", "-a", f"warc={live / 'warc'}", archive=live)
    assert sorted((live / "warc").iterdir()) == before, "replay must not write WARCs"
    articles = [p for p in (live / "articles").glob("replay-*.jsonl")]
    assert articles, proc.stderr[-2000:]
    replayed = {}
    for path in articles:
        replayed.update(by_id(read_jsonl(path)))
    crawled = {}
    for path in (live / "articles").glob("news-*.jsonl"):
        crawled.update(by_id(read_jsonl(path)))
    assert replayed.keys() == crawled.keys()
    for rid, rec in crawled.items():
        article_schema.validate(replayed[rid])
        for field in COMPARED:
            assert replayed[rid][field] == rec[field], (rid, field)


def test_replay_keeps_duplicates_apart(live: Path) -> None:
    dups = [r for p in (live / "articles").glob("replay-*.duplicates.jsonl") for r in read_jsonl(p)]
    assert any("berlin-talks" in r["url"] and r["wires"] == ["AFP"] for r in dups)


def test_replay_of_a_foreign_warc(tmp_path: Path, bench_dir: Path) -> None:
    """WARCs written by another tool (make_warc.py: response before request, no metadata)."""
    warc = tmp_path / "bench.warc.gz"
    subprocess.run(
        [sys.executable, str(SHARED / "tools" / "make_warc.py"), str(warc), "--limit", "25"],
        check=True,
        capture_output=True,
    )
    archive = tmp_path / "archive"
    run_scrapy("crawl", "replay", "-a", f"warc={warc}", archive=archive)
    recs = records(archive) + records(archive, "duplicates")
    assert len(recs) == 25
    for rec in recs:
        assert rec["warc"]["file"] == str(warc)
        with open(warc, "rb") as fh:
            fh.seek(rec["warc"]["offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == rec["url"]


def test_replay_without_warcs_fails(tmp_path: Path) -> None:
    """Exit status 1 ("achieved nothing") for the reason it has, in the summary and the log:
    not any non-zero exit, which an ImportError or a usage error would give too."""
    pattern = f"{tmp_path}/nothing-*.warc.gz"
    proc = run_scrapy(
        "crawl", "replay", "-a", f"warc={pattern}", archive=tmp_path / "a", check=False
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    [path] = (tmp_path / "a" / "runs").glob("replay-*.summary.json")
    summary = json.loads(path.read_text(encoding="utf-8"))
    assert summary["ok"] is False and summary["exit_status"] == 1
    assert summary["stats"]["newsbot/failed"] == f"no WARC or ARC files in {pattern}"
    assert not records(tmp_path / "a")


def test_replay_of_the_benchmark_warc_scores(tmp_path: Path, bench_dir: Path) -> None:
    """All 181 real pages come back as records, with text good enough to score F1 >= 0.96."""
    warc = tmp_path / "bench.warc.gz"
    subprocess.run(
        [sys.executable, str(SHARED / "tools" / "make_warc.py"), str(warc)],
        check=True,
        capture_output=True,
    )
    archive = tmp_path / "archive"
    run_scrapy("crawl", "replay", "-a", f"warc={warc}", archive=archive)
    recs = records(archive) + records(archive, "duplicates")
    truth = json.loads((bench_dir / "ground-truth.json").read_text())
    assert sorted(r["url"] for r in recs) == sorted(v["url"] for v in truth.values())
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps({"url": r["url"], "text": r["text"]}) + "\n" for r in recs))
    out = subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "score_extraction.py"),
            str(pred),
            "--truth",
            str(bench_dir / "ground-truth.json"),
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    score = json.loads(out.stdout)
    assert score["f1"] >= 0.96 and score["precision"] >= 0.95, score


def test_one_worker_and_many_give_identical_records(demo_archive: Path, tmp_path: Path) -> None:
    """Workers finish out of order; capture order still decides, so the output is the same."""
    outputs = []
    for workers in ("1", "3"):
        archive = tmp_path / f"w{workers}"
        run_scrapy(
            "crawl",
            "replay",
            "-a",
            f"warc={demo_archive / 'warc'}",
            archive=archive,
            settings={"EXTRACT_WORKERS": workers},
        )
        outputs.append(
            [
                (path.name.split(".", 1)[-1], read_jsonl(path))
                for path in sorted((archive / "articles").glob("*.jsonl"))
            ]
        )
    assert outputs[0] == outputs[1]
    assert sum(len(recs) for _, recs in outputs[0]) >= 15
