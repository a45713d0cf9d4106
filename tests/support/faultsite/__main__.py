"""python -m support.faultsite --state out.json [--render FILE]... -- CMD... (run from tests/)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from support.faultsite.isolation import run_beside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--render", type=Path, action="append", default=[])
    parser.add_argument("--no-remote", action="store_true", help="no links outside 127.0.0.0/8")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    return run_beside(args.state, args.render, cmd, remote_links=not args.no_remote)


if __name__ == "__main__":
    sys.exit(main())
