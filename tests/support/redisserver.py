"""A real redis-server for tests: started on a free loopback port, stopped by its owner.

Debian's `redis-server` does not start itself; each test (or module) that needs one runs
its own process with `--save ''` and, for the restart tests, an append-only file, and
waits for `PING`. Absent binary: a skip, or a failure where CI demands system tests
(`NEWSBOT_REQUIRE_SYSTEM_TESTS=1`, set by `.ci/run`).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.browser import require_binary


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One redis-server process on 127.0.0.1; `kill()` and `start()` again keep its port
    and folder, so an AOF server comes back with what it had fsynced."""

    def __init__(self, folder: Path, *, aof: bool = False, port: int | None = None) -> None:
        self.binary = require_binary("redis-server")
        self.folder, self.aof = folder, aof
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        args = [
            self.binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.folder),
            "--save",
            "",
            "--daemonize",
            "no",
            "--appendonly",
            "yes" if self.aof else "no",
        ]
        if self.aof:
            args += ["--appendfsync", "everysec"]
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - the process owns it
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(
            f"redis-server did not answer PING: "
            f"{(self.folder / 'redis.log').read_text(errors='replace')[-2000:]}"
        )

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """`kill -9`: what a crash does (AOF keeps what `everysec` had fsynced)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh redis-server (no persistence) for one test."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_aof_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server with AOF `everysec`, for kill and restart tests."""
    server = RedisServer(tmp_path / "redis-aof", aof=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


__all__ = ["RedisServer", "free_port", "redis_aof_server", "redis_server"]
