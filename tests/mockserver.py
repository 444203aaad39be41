"""A stand-in for www.joongdo.co.kr that tests start on 127.0.0.1.

    python tests/mockserver.py --root DIR [--generate N --now ISO --span-days D] [--log FILE]
                               [--pause-after K] [--slow-seconds S]

binds to a free port and prints its base URL as the first line of stdout. Pages come from
DIR (a copy of the fixtures the test may edit while the server runs):

``/web/view.php?key=K``   ``view-K.html``, or the site's "no such article" page (status 200)
``/web/list_news.php``    ``list_news-<ncid>-page<N>.html``
``/web/rss.php``          ``rss.xml``
``/robots.txt``           ``robots.txt`` if present, else allow everything
``/….jpg|png|gif``        a generated PNG photo (fixture article pages name the real site's
                          image host; ``/web/view.php`` and the routes built on it serve them
                          with this server's own address instead; generated articles' photos
                          are on ``photos.invalid`` unless ``--local-photos``)

and some pages that misbehave on purpose:

``/status/<code>``        that HTTP status
``/hang``                 never answers (until the client gives up)
``/redirect-loop``        redirects to itself
``/redirect-to?url=U``    302 to ``U`` (so through this server as an HTTP proxy, any host redirects anywhere)
``/truncated?key=K``      the article cut in the middle of its body; the connection closes
                          early (Content-Length promises the whole page)
``/euc-kr?key=K``         the article re-encoded as EUC-KR, declared in the header only
``/binary``               random-looking bytes served as text/html

and, for pages of other layouts and sites (a test serving the whole fixtures directory):

``/news/articleView.html?idxno=N``  ``ndsoft/articleView-N.html`` (an ND소프트 site), or its
                          "no such article" page (status 200)
``/rss/allArticle.xml``   ``ndsoft/allArticle.xml``, its ``{base}`` made this server's address
``/files/PATH?charset=C`` the file's bytes as they are, ``Content-Type: text/html`` with
                          ``; charset=C`` only when C is given
``/encoded/PATH?charset=C&declare=D``  a UTF-8 file re-encoded in C (euc-kr, cp949, …), its
                          own declaration removed, declared by D: ``header``, ``meta`` or
                          ``none``; ``&label=L`` declares L instead of C (a server that lies)

With ``--generate N`` it is a whole generated site (:mod:`mocksite`): N articles (ETag and
304 Not Modified supported), the all-news list and section lists (10 per page), RSS,
robots.txt, and the misbehaving articles :func:`mocksite.quirk` names. Tests steer it with

``/_control/edit?key=K``  article K changes (new text, 수정 time now) from now on
``/_control/drift?on=1``  article pages lose their dates (a layout the profile misses)
``/_control/layout?name=redesign``  article pages in the redesigned layout (``seed``: back)
``/_control/release``     let article requests through again after ``--pause-after``
``/_control/fail?status=503``  every article answers 503 from now on (``status=`` ends it)

``--pause-after K`` holds every article request after the first K until released, and prints
``paused`` on stdout when the first one is held (a test waits for it instead of sleeping).
``--log FILE`` appends one JSON line per request: path, status, conditional, user agent.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from mocksite import OFFSITE_PHOTOS, PHOTO_HOST, GenArticle, Renderer, etag, generate, photo_number, photo_png

KST = ZoneInfo("Asia/Seoul")


@dataclass
class GeneratedSite:
    """The state of a generated site shared by the server's threads."""

    renderer: Renderer
    pause_after: int | None = None
    slow_seconds: float = 1.0
    log: IO[str] | None = None
    hits: Counter[str] = field(default_factory=Counter)
    edits: dict[str, datetime] = field(default_factory=dict)
    drift: bool = False
    layout: str = "seed"
    failing: int | None = None
    passed: int = 0
    announced: bool = False
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str) -> int:
        with self.lock:
            self.hits[key] += 1
            return self.hits[key]

    def gate(self) -> None:
        """Hold the request once ``pause_after`` article requests have passed, until released."""
        with self.lock:
            hold = self.pause_after is not None and self.passed >= self.pause_after and not self.released.is_set()
            if hold and not self.announced:
                self.announced = True
                print("paused", flush=True)
            if not hold:
                self.passed += 1
        if hold:
            self.released.wait(120)

    def record(self, entry: dict[str, object]) -> None:
        if self.log is not None:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")
                self.log.flush()


class Handler(BaseHTTPRequestHandler):
    root: Path
    stop_hanging: threading.Event
    site: GeneratedSite | None = None
    broken_photos: int | None = None
    local_photos_served: bool = False

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def parse_request(self) -> bool:
        self.arrived = time.monotonic()  # when the request came, for tests of request rates
        return super().parse_request()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = getattr(self, "route_" + re.sub(r"\W", "_", parts.path.strip("/").split("/")[0] or "index"), None)
        if parts.path in ("/web/view.php", "/main/view.php"):
            self.article(query.get("key", ""))
        elif parts.path == "/web/list_news.php" and self.site:
            self.send(200, self.site.renderer.list_page_for(query.get("ncid"), int(query.get("page", "1"))))
        elif parts.path == "/web/list_news.php":
            self.file(f"list_news-{query.get('ncid', 'all')}-page{query.get('page', '1')}.html")
        elif parts.path == "/news/articleView.html":
            self.ndsoft_article(query.get("idxno", ""))
        elif parts.path == "/rss/allArticle.xml" and (self.root / "ndsoft" / "allArticle.xml").exists():
            feed = (self.root / "ndsoft" / "allArticle.xml").read_text(encoding="utf-8")
            self.send(200, feed.replace("{base}", f"http://{self.headers['Host']}").encode(), "application/xml")
        elif parts.path == "/web/rss.php" and self.site:
            self.send(200, self.site.renderer.rss(), "application/rss+xml; charset=utf-8")
        elif parts.path == "/web/rss.php":
            self.file("rss.xml", "application/rss+xml; charset=utf-8")
        elif parts.path.endswith((".jpg", ".jpeg", ".png", ".gif")):
            self.photo(parts.path)
        elif parts.path == "/robots.txt":
            self.send(200, self.robots(), "text/plain")
        elif route:
            route(parts.path, query)
        else:
            self.send(404, b"<html><body>Not Found</body></html>")

    def robots(self) -> bytes:
        robots = self.root / "robots.txt"
        if robots.exists():
            return robots.read_bytes()
        return self.site.renderer.robots() if self.site else b"User-agent: *\nDisallow:\n"

    # -- helpers ------------------------------------------------------------------------

    def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        if self.site:
            self.site.record({"path": self.path, "status": status, "ua": self.headers.get("User-Agent"),
                              "conditional": bool(self.headers.get("If-None-Match")), "at": self.arrived})
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def local_photos(self, body: bytes) -> bytes:
        """The article page with the real site's image host made this server: a crawl that stores
        what it fetches downloads the photos, and tests never leave 127.0.0.1. Asked as an HTTP
        proxy for the real site's address, it answers as the real site would: the page unchanged."""
        if self.path.startswith("http"):
            return body
        return body.replace(PHOTO_HOST.encode(), f"http://{self.headers['Host']}".encode())

    def photo(self, path: str) -> None:
        """A generated image; with ``--broken-photos K`` every K-th photo (by number) is missing.
        Not logged: the request log is the pages' (tests count page requests)."""
        broken = self.broken_photos and photo_number(path) % self.broken_photos == 0
        body = b"Not Found" if broken else photo_png(path)
        self.send_response(404 if broken else 200)
        self.send_header("Content-Type", "text/plain" if broken else "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def file(self, name: str, content_type: str = "text/html; charset=utf-8") -> None:
        path = self.root / name
        if path.exists():
            self.send(200, path.read_bytes(), content_type)
        else:
            self.send(404, b"<html><body>Not Found</body></html>")

    def article_bytes(self, key: str) -> bytes | None:
        path = self.root / f"view-{key}.html"
        return self.local_photos(path.read_bytes()) if key.isdigit() and path.exists() else None

    def article(self, key: str) -> None:
        generated = self.site.renderer.by_key.get(key) if self.site else None
        if generated is not None:
            self.generated_article(generated)
            return
        body = self.article_bytes(key)
        self.send(200, body if body is not None else (self.root / "view-missing.html").read_bytes())

    def generated_article(self, article: GenArticle) -> None:
        site = self.site
        site.gate()
        attempt = site.hit(article.key)
        if site.failing:
            self.send(site.failing, b"<html><body>overloaded</body></html>")
            return
        quirk = article.quirk
        if quirk == "gone" or (quirk == "flaky" and attempt == 1) or (quirk == "broken" and attempt <= 3):
            self.send(404 if quirk == "gone" else 500, b"<html><body>error</body></html>")
            return
        if quirk == "slow":
            time.sleep(site.slow_seconds)
        modified = site.edits.get(article.key)
        body = site.renderer.article(article, modified=modified, edited=modified is not None, drift=site.drift,
                                     layout=site.layout)
        if self.local_photos_served:
            body = body.replace(OFFSITE_PHOTOS.encode(), f"http://{self.headers['Host']}".encode())
        changed = (modified or article.published).astimezone(timezone.utc)
        validators = {"ETag": etag(body), "Last-Modified": format_datetime(changed, usegmt=True)}
        if self.headers.get("If-None-Match") == validators["ETag"]:
            self.send(304, b"", headers=validators)
        else:
            self.send(200, body, headers=validators)

    # -- test controls (generated site) -------------------------------------------------

    def route__control(self, path: str, query: dict[str, str]) -> None:
        action = path.rsplit("/", 1)[-1]
        if action == "edit":
            self.site.edits[query["key"]] = datetime.now(KST).replace(second=0, microsecond=0)
        elif action == "drift":
            self.site.drift = query.get("on") == "1"
        elif action == "layout":
            self.site.layout = query["name"]
        elif action == "release":
            self.site.released.set()
        elif action == "fail":
            self.site.failing = int(query["status"]) if query.get("status") else None
        self.send(200, b"ok", "text/plain")

    # -- misbehaving pages --------------------------------------------------------------

    def route_status(self, path: str, query: dict[str, str]) -> None:
        self.send(int(path.rsplit("/", 1)[-1]), b"<html><body>error page</body></html>")

    def route_hang(self, path: str, query: dict[str, str]) -> None:
        self.stop_hanging.wait(120)

    def route_redirect_loop(self, path: str, query: dict[str, str]) -> None:
        self.send(302, b"", headers={"Location": "/redirect-loop"})

    def route_redirect_to(self, path: str, query: dict[str, str]) -> None:
        self.send(302, b"", headers={"Location": query["url"]})

    def route_truncated(self, path: str, query: dict[str, str]) -> None:
        body = self.article_bytes(query.get("key", "")) or b""
        cut = body.index("정부업무의 생산성".encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:cut])
        self.close_connection = True

    def route_euc_kr(self, path: str, query: dict[str, str]) -> None:
        text = (self.article_bytes(query.get("key", "")) or b"").decode("utf-8")
        self.send(200, *reencoded(text, "euc-kr", "header", "euc-kr"))

    def route_files(self, path: str, query: dict[str, str]) -> None:
        charset = query.get("charset")
        self.file(path.removeprefix("/files/"), f"text/html; charset={charset}" if charset else "text/html")

    def route_encoded(self, path: str, query: dict[str, str]) -> None:
        source = self.root / path.removeprefix("/encoded/")
        if not source.is_file():
            self.send(404, b"<html><body>Not Found</body></html>")
            return
        text = source.read_text(encoding="utf-8")
        charset = query.get("charset", "euc-kr")
        self.send(200, *reencoded(text, charset, query.get("declare", "header"), query.get("label", charset)))

    def ndsoft_article(self, idxno: str) -> None:
        path = self.root / "ndsoft" / f"articleView-{idxno}.html"
        if not (idxno.isdigit() and path.exists()):
            path = self.root / "ndsoft" / "articleView-missing.html"
        self.send(200, path.read_bytes())

    def route_binary(self, path: str, query: dict[str, str]) -> None:
        self.send(200, bytes((i * 7919 + 13) % 256 for i in range(4096)))


_DECLARATION = re.compile(r'<meta\s+(?:charset="?[\w-]+"?|http-equiv="Content-Type"[^>]*)\s*/?>\s*', re.IGNORECASE)


def reencoded(text: str, charset: str, declare: str, label: str) -> tuple[bytes, str]:
    """``(body, content type)`` of the page ``text`` in ``charset``, declared as ``declare`` says.

    The page's own declaration is removed first; ``meta`` writes a new one after ``<head>``,
    ``header`` names ``label`` (normally the charset) in the Content-Type, ``none`` declares
    nothing at all.
    """
    text = _DECLARATION.sub("", text)
    if declare == "meta":
        text = re.sub(r"<head>", f'<head>\n<meta http-equiv="Content-Type" content="text/html; charset={label}">',
                      text, count=1, flags=re.IGNORECASE)
    content_type = f"text/html; charset={label}" if declare == "header" else "text/html"
    return text.encode(charset, errors="xmlcharrefreplace"), content_type


class QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a crawl killed on purpose) is not worth a traceback."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def arguments() -> argparse.ArgumentParser:
    """The server's command-line options (``tests/faultserver.py`` adds its own)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--generate", type=int, metavar="N", help="serve a generated site of N articles")
    parser.add_argument("--now", type=datetime.fromisoformat, help="the generated site's present (ISO 8601; default: now)",
                        default=datetime.now(KST).replace(second=0, microsecond=0))
    parser.add_argument("--span-days", type=float, default=120.0, help="articles spread over this many days")
    parser.add_argument("--log", type=Path, help="append one JSON line per request to this file")
    parser.add_argument("--pause-after", type=int, help="hold article requests after this many")
    parser.add_argument("--slow-seconds", type=float, default=1.0, help="how long the slow article takes")
    parser.add_argument("--local-photos", action="store_true",
                        help="generated articles' photos on this server (else on an unresolvable host)")
    parser.add_argument("--broken-photos", type=int, metavar="K", help="with --local-photos, every K-th photo answers 404")
    return parser


def main(handler: type[Handler] = Handler, args: argparse.Namespace | None = None) -> None:
    """Serve with ``handler`` (a subclass may add routes) until the process is stopped."""
    args = args or arguments().parse_args()
    handler.root = args.root
    handler.broken_photos = args.broken_photos
    handler.local_photos_served = args.local_photos
    handler.stop_hanging = threading.Event()
    if args.generate:
        handler.site = GeneratedSite(
            renderer=Renderer(generate(args.generate, args.now, args.span_days)), pause_after=args.pause_after,
            slow_seconds=args.slow_seconds, log=args.log.open("a", encoding="utf-8") if args.log else None)
    server = QuietServer(("127.0.0.1", 0), handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        handler.stop_hanging.set()


if __name__ == "__main__":
    sys.exit(main())
