"""The generated mock 중도일보 of ``tests/mockserver.py``, with faults injected article by article.

    python tests/faultserver.py --root DIR --generate N --now ISO [--span-days D]
                                [--fault INDEX=KIND[xTIMES]]... [--huge-bytes B] [--announce]

takes every option of ``mockserver.py`` and serves the same site, except that article
``INDEX`` (0 = newest, as :func:`mocksite.generate` numbers them) misbehaves the way ``KIND``
says on its first ``TIMES`` requests (on every request without ``xTIMES``), then answers
normally. The test and the server read the same :class:`Fault` specs, so the test knows
what each article does. Kinds:

``5xx``             503 Service Unavailable
``hang``            never answers (the client times out)
``reset``           the connection is reset (TCP RST) before any answer
``reset-mid-body``  status, headers and half the page, then a reset
``truncate``        ``Content-Length`` promises the whole page; half of it comes, then the
                    connection closes
``cut``             no ``Content-Length``: half the page, then the connection closes (only
                    the missing ``</html>`` shows it)
``charset-utf8``    the page in EUC-KR, its own declaration removed, labelled ``charset=utf-8``
``charset-euckr``   the page in UTF-8, labelled ``charset=euc-kr``
``huge``            the article with filler paragraphs up to ``--huge-bytes`` (default 50 MB),
                    streamed without ``Content-Length``
``redirect-loop``   302 to its own URL
``redirect-offsite`` 302 to the same path on ``offsite.invalid`` (another site)
``redirect-port``   302 to the same path on this host's port 9 (another port)
``redirect-internal`` 302 to ``http://169.254.169.254/latest/meta-data/`` (cloud metadata)
``image``           a PNG image (``image/png``) at the article's URL
``pdf``             a PDF document (``application/pdf``)
``hostile``         the article with ``<script>``, markup and SQL in its title, subtitle,
                    section name and body, all written as text (escaped), as a site would

``--announce`` prints ``served N`` on stdout each time an article page has been sent whole
with status 200 (N counts them), so a test can act at a point of the crawl's progress (kill
it after K pages) without sleeping.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
from collections import Counter
from dataclasses import dataclass, replace
from html import escape
from urllib.parse import urlsplit

import mockserver
from mocksite import SECTIONS, GenArticle, generate

KINDS = ("5xx", "hang", "reset", "reset-mid-body", "truncate", "cut", "charset-utf8", "charset-euckr", "huge",
         "redirect-loop", "image", "pdf", "hostile", "redirect-offsite", "redirect-port", "redirect-internal")
HUGE_BYTES = 50 * 1024 * 1024
#: What the hostile article puts in its title, subtitle, section and body (escaped in the HTML).
HOSTILE = "<script>alert('x')</script><b onmouseover=alert(1)>굵게</b> '; DROP TABLE articles; --"
#: The smallest PNG: a 1×1 transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000200a5f6ce8d0000000049454e44ae426082")
PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


@dataclass(frozen=True)
class Fault:
    """Article ``index`` misbehaves as ``kind`` on its first ``times`` requests (None: always)."""

    index: int
    kind: str
    times: int | None = None

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``7=5xx`` (always) or ``7=5xxx3`` (the first three requests)."""
        index, _, rest = spec.partition("=")
        kind, _, times = rest.rpartition("x") if rest.rpartition("x")[2].isdigit() else (rest, "", "")
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r} (one of {', '.join(KINDS)})")
        return cls(int(index), kind, int(times) if times else None)

    def spec(self) -> str:
        return f"{self.index}={self.kind}" + (f"x{self.times}" if self.times else "")

    @property
    def transient(self) -> bool:
        return self.times is not None

    def active(self, attempt: int) -> bool:
        """Does request number ``attempt`` (1, 2, …) of the article misbehave?"""
        return self.times is None or attempt <= self.times


class FaultHandler(mockserver.Handler):
    faults: dict[str, Fault] = {}
    huge_bytes = HUGE_BYTES
    announce = False
    attempts: Counter[str] = Counter()
    served = 0
    lock = threading.Lock()

    def generated_article(self, article: GenArticle) -> None:
        fault = self.faults.get(article.key)
        with self.lock:
            self.attempts[article.key] += 1
            attempt = self.attempts[article.key]
        if fault is None or not fault.active(attempt):
            super().generated_article(article)
            return
        if self.site:
            self.site.record({"path": self.path, "status": None, "fault": fault.kind})
        getattr(self, "fault_" + fault.kind.replace("-", "_"))(article)

    def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        super().send(status, body, content_type, headers)
        if self.announce and status == 200 and urlsplit(self.path).path.endswith("/view.php"):
            with self.lock:
                type(self).served += 1
                print(f"served {type(self).served}", flush=True)

    # -- the faults --------------------------------------------------------------------

    def page(self, article: GenArticle) -> bytes:
        return self.site.renderer.article(article)

    def fault_5xx(self, article: GenArticle) -> None:
        self.send(503, b"<html><body>Service Unavailable</body></html>")

    def fault_hang(self, article: GenArticle) -> None:
        self.stop_hanging.wait(120)
        self.close_connection = True

    def reset_connection(self) -> None:
        """Close the socket with SO_LINGER 0: the kernel answers with a TCP RST, not a FIN."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def fault_reset(self, article: GenArticle) -> None:
        self.reset_connection()

    def head(self, content_type: str = "text/html; charset=utf-8", length: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def fault_reset_mid_body(self, article: GenArticle) -> None:
        body = self.page(article)
        self.head(length=len(body))
        self.wfile.write(body[: len(body) // 2])
        self.reset_connection()

    def fault_truncate(self, article: GenArticle) -> None:
        body = self.page(article)
        self.head(length=len(body))
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True

    def fault_cut(self, article: GenArticle) -> None:
        body = self.page(article)
        self.head()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True

    def fault_charset_utf8(self, article: GenArticle) -> None:
        self.send(200, *mockserver.reencoded(self.page(article).decode("utf-8"), "euc-kr", "header", "utf-8"))

    def fault_charset_euckr(self, article: GenArticle) -> None:
        self.send(200, *mockserver.reencoded(self.page(article).decode("utf-8"), "utf-8", "header", "euc-kr"))

    def fault_huge(self, article: GenArticle) -> None:
        """The article with filler paragraphs after its first one, sent 64 KB at a time."""
        page = self.page(article)
        cut = page.index(f"기사 {article.index}의 문단 1이다.".encode()) + len(f"기사 {article.index}의 문단 1이다.".encode())
        filler = ("<br /><br />" + "대전의 긴 하루를 기록한 문단이다. " * 200).encode()
        self.head()
        self.wfile.write(page[:cut])
        written = cut
        while written + len(page) - cut < self.huge_bytes:
            self.wfile.write(filler)
            written += len(filler)
        self.wfile.write(page[cut:])
        self.close_connection = True

    def fault_redirect_loop(self, article: GenArticle) -> None:
        self.send(302, b"", headers={"Location": self.path})

    def fault_redirect_offsite(self, article: GenArticle) -> None:
        self.send(302, b"", headers={"Location": f"http://offsite.invalid{self.path}"})

    def fault_redirect_port(self, article: GenArticle) -> None:
        self.send(302, b"", headers={"Location": f"http://127.0.0.1:9{self.path}"})

    def fault_redirect_internal(self, article: GenArticle) -> None:
        self.send(302, b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    def fault_image(self, article: GenArticle) -> None:
        self.send(200, PNG, "image/png")

    def fault_pdf(self, article: GenArticle) -> None:
        self.send(200, PDF, "application/pdf")

    def fault_hostile(self, article: GenArticle) -> None:
        title, subtitle = f"{article.title} {HOSTILE}", f"{article.subtitle} {HOSTILE}"
        paragraphs = (f"{article.paragraphs[0]} {HOSTILE}", *article.paragraphs[1:])
        page = self.site.renderer.article(replace(article, title=title, subtitle=subtitle,
                                                  paragraphs=paragraphs)).decode("utf-8")
        sub = SECTIONS[article.section][1]
        page = page.replace(f">{sub}</a></li></ul>", f">{sub} {escape(HOSTILE)}</a></li></ul>", 1)
        # and markup the page really has, which must not end up in the text
        page = page.replace(escape(paragraphs[1]), escape(paragraphs[1])
                            + "<script>document.write('스크립트 본문')</script>", 1)
        self.send(200, page.encode("utf-8"))


def main() -> None:
    parser = mockserver.arguments()
    parser.add_argument("--fault", type=Fault.parse, action="append", default=[], metavar="INDEX=KIND[xTIMES]")
    parser.add_argument("--huge-bytes", type=int, default=HUGE_BYTES)
    parser.add_argument("--announce", action="store_true", help="print 'served N' after each article page")
    args = parser.parse_args()
    if not args.generate:
        parser.error("faults are injected into a generated site: give --generate N")
    articles = generate(args.generate, args.now, args.span_days)
    FaultHandler.faults = {articles[fault.index].key: fault for fault in args.fault}
    FaultHandler.huge_bytes = args.huge_bytes
    FaultHandler.announce = args.announce
    mockserver.main(FaultHandler, args)


if __name__ == "__main__":
    sys.exit(main())
