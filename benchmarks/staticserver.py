"""A small, fast HTTP/1.1 server for a directory of pre-generated responses.

    python -m benchmarks.staticserver DIR

binds 127.0.0.1 on a free port, prints its base URL as the first line of stdout and serves
until killed. The response to a request target (path and query) is the file named by the
quoted target (:func:`benchmarks.site.target_file`), sent with ``Content-Length``, an
``ETag`` and ``Last-Modified`` as a web server sends them; other targets get 404.

Why not ``tests/mockserver.py``: it renders each page on request in a thread, which costs
more CPU per page than the crawler spends on it, so the crawl benchmark would measure the
server. This one answers from memory (every file is read once, at start-up) on one asyncio
event loop with keep-alive connections; the benchmarks report its CPU use beside each run
to show it was never the bottleneck.
"""

from __future__ import annotations

import asyncio
import sys
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote



def load(directory: Path) -> dict[str, bytes]:
    """``{request target: whole response}`` for every file of ``directory``."""
    responses = {}
    for path in directory.iterdir():
        if path.name == "COMPLETE":
            continue
        target = unquote(path.name)
        body = path.read_bytes()
        stat = path.stat()
        kind = "application/xml" if body.startswith(b"<?xml") else (
            "text/plain" if target == "/robots.txt" else "text/html; charset=utf-8")
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
                f'ETag: "{stat.st_size:x}-{stat.st_mtime_ns:x}"\r\n'
                f"Last-Modified: {formatdate(stat.st_mtime, usegmt=True)}\r\n\r\n")
        responses[target] = head.encode() + body
    return responses


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n"


def handler(responses: dict[str, bytes]):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await reader.readuntil(b"\r\n\r\n"):
                target = request.split(b" ", 2)[1].decode("latin-1")
                writer.write(responses.get(target, _NOT_FOUND))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
    return handle


async def serve(directory: Path) -> None:
    server = await asyncio.start_server(handler(load(directory)), "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
