"""newsbot.jsonl: lines written whole, a torn last line cut (crash safety of the records)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newsbot.jsonl import JsonLinesWriter
from newsbot.state import read_jsonl_repairing


def test_torn_last_line_is_cut_and_whole_lines_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    writer = JsonLinesWriter(path)
    for i in range(3):
        writer.write({"id": f"{i:016x}", "text": "é" * 10})
    writer.close()
    with path.open("ab") as fh:
        fh.write(b'{"id": "torn", "te')
    recs = list(read_jsonl_repairing(path))
    assert [r["id"] for r in recs] == [f"{i:016x}" for i in range(3)]
    assert path.read_bytes().endswith(b"\n")


def test_lines_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "k.jsonl"
    script = (
        "import sys, os, signal\n"
        "from newsbot.jsonl import JsonLinesWriter\n"
        f"w = JsonLinesWriter(__import__('pathlib').Path({str(path)!r}))\n"
        "for i in range(200): w.write({'id': i, 'text': 'x' * 5000})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1])
    assert proc.returncode == -9
    ids = [json.loads(line)["id"] for line in path.read_text().splitlines()]
    assert ids == list(range(200))
