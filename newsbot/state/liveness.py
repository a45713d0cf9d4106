"""Is the process that ran a run still alive? The test both backends apply to runs."""

from __future__ import annotations

import os
import socket


def process_alive(host: str | None, pid: int | None) -> bool:
    """True when ``pid`` runs on this host (a run of another host counts as gone)."""
    if host != socket.gethostname() or not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
