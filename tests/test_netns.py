from __future__ import annotations

import socket

import pytest

from support.netns import in_loopback_namespace


@pytest.mark.skipif(not in_loopback_namespace(), reason="session not in a loopback-only namespace")
def test_session_cannot_reach_beyond_loopback() -> None:
    """The guard rail of every crawl test: only loopback exists here."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        with pytest.raises(OSError):  # no route: refused at once, nothing leaves the namespace
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1, documentation range
    with socket.socket() as server:
        server.bind(("127.0.0.2", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
