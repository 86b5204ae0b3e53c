"""uvicorn with worker processes whose connections get TCP_NODELAY, for the HTTP benches.

``python -m bench.uvicorn_workers HOST PORT WORKERS KEEP_ALIVE`` does what ``uvicorn --workers N``
does, except for one line: uvicorn binds the shared listening socket with protocol 0, asyncio turns
on TCP_NODELAY only for accepted sockets whose protocol is IPPROTO_TCP, so with ``--workers`` every
response after the first on a keep-alive connection waits ~40 ms for the client's delayed ACK
(uvicorn issue 3149; measured here: 44-50 ms instead of 1-6 ms per request). The socket is
re-wrapped with IPPROTO_TCP before the workers get it.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess


def main() -> None:
    """Bind, re-wrap, and run the workers until SIGINT."""
    host, port, workers, keep_alive = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    config = uvicorn.Config(
        "bankcrm.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        timeout_keep_alive=keep_alive,
    )
    bound = config.bind_socket()
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    Multiprocess(config, sockets=[sock]).run()


if __name__ == "__main__":
    main()
