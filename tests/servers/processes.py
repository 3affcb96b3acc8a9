"""What every test server needs: a free local port, and default signal handlers."""

from __future__ import annotations

import signal
import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_signal_handlers() -> None:
    """For `preexec_fn`: background processes here inherit ignored SIGINT/SIGTERM (and
    SIGQUIT), so a server started from them would not stop when asked."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)
