"""Writing the archive out: articles as JSON Lines or CSV, raw responses as WARC.

JSON Lines and CSV hold one record per article: its identity (site, article_id, url), the
content of its current revision (the fields of ``revisions.data``) and when it was seen.
WARC (ISO 28500, the web archivists' format, written with warcio) holds every stored
response with its original status line and headers, each with a request record for it.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any
from urllib.parse import urlsplit

from sqlite_utils import Database
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .. import __version__
from ..errors import NewscrawlError
from .pages import PAGE_TABLES, load_page
from .paths import output_path
from .revisions import CONTENT_FIELDS, current_content, revision_content

FORMATS = ("jsonl", "csv", "warc")
#: Record fields besides the content ones, in the order written.
IDENTITY_FIELDS = ("site", "article_id", "url", "canonical_url")
TIME_FIELDS = ("revision", "first_seen_at", "last_fetched_at", "last_changed_at")
CSV_FIELDS = IDENTITY_FIELDS + CONTENT_FIELDS + TIME_FIELDS
#: Headers describing a transfer encoding the stored (decoded) body no longer has.
_TRANSFER_HEADERS = ("content-encoding", "transfer-encoding", "content-length")


def article_records(db: Database, site: str | None = None) -> Iterator[dict[str, Any]]:
    """One dict per article, in id order: identity, current content, times."""
    where, params = ("WHERE a.site = ?", [site]) if site else ("", [])
    # sql: column names and the WHERE fragment are constants; the site is a parameter
    rows = db.execute(
        f"SELECT {', '.join('a.' + f for f in IDENTITY_FIELDS + TIME_FIELDS)}, v.data, a.id"
        f" FROM articles a JOIN revisions v ON v.article = a.id AND v.revision = a.revision"
        f" {where} ORDER BY a.id", params)
    names = IDENTITY_FIELDS + TIME_FIELDS
    for row in rows:
        record = dict(zip(names, row[:-2]))
        content = revision_content(row[-2], current_content(db, row[-1]))
        yield {**{f: record[f] for f in IDENTITY_FIELDS}, **content, **{f: record[f] for f in TIME_FIELDS}}


def export_jsonl(db: Database, out: IO[str], site: str | None = None) -> int:
    """Write one JSON object per line; returns the number of articles."""
    count = 0
    for count, record in enumerate(article_records(db, site), start=1):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return count


def export_csv(db: Database, out: IO[str], site: str | None = None) -> int:
    """Write a CSV with a header row; lists (sections, reporters, photos) as JSON text."""
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for count, record in enumerate(article_records(db, site), start=1):
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                         for k, v in record.items()})
    return count


def warc_date(iso: str) -> str:
    """A stored ISO 8601 time (Asia/Seoul) as a WARC-Date (UTC, ``2020-07-07T23:05:00Z``)."""
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_headers(status: int, headers: dict[str, list[str]], body_size: int) -> StatusAndHeaders:
    """The original status line and headers; those about a transfer encoding the stored body
    no longer has are kept renamed ``X-Archive-Orig-…`` and Content-Length is the body's."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    pairs = []
    for name, values in headers.items():
        shown = "-".join(part.capitalize() for part in name.split("-"))
        if name in _TRANSFER_HEADERS:
            shown = f"X-Archive-Orig-{shown}"
        pairs += [(shown, value) for value in values]
    pairs.append(("Content-Length", str(body_size)))
    return StatusAndHeaders(f"{status} {reason}".strip(), pairs, protocol="HTTP/1.1")


def request_headers(url: str) -> StatusAndHeaders:
    """A GET for ``url``: newscrawl does not keep the request it sent, only what it asked for."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", parts.netloc)],
                            protocol="HTTP/1.1", is_http_request=True)


def export_warc(db: Database, out: IO[bytes], site: str | None = None, gzip: bool = True) -> int:
    """Write a warcinfo record, then a response and a request record per stored page (article
    pages, then feed and list pages) and per archived photo; returns the number of responses."""
    writer = WARCWriter(out, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record(None, {
        "software": f"newscrawl/{__version__}", "format": "WARC File Format 1.0",
        "description": "Raw pages and photos of a newscrawl archive; bodies as received after content decoding.",
    }))
    where, params = ("WHERE site = ?", [site]) if site else ("", [])
    pages = 0
    for table in PAGE_TABLES:  # the article pages, then the feed and list pages
        # sql: the table is one of PAGE_TABLES, the WHERE fragment a constant; the site is a parameter
        page_ids = [row[0] for row in db.execute(f"SELECT id FROM {table} {where} ORDER BY id", params)]
        for page_id in page_ids:
            _write_exchange(writer, load_page(db, page_id, table))
        pages += len(page_ids)
    photos = 0
    for url, fetched_at, content_type, data in _photos(db, site):
        headers = {"content-type": [content_type]} if content_type else {}
        _write_exchange(writer, SimpleNamespace(url=url, fetched_at=fetched_at, body=data, status=200, headers=headers))
        photos += 1
    return pages + photos


# The archived photos (of the site's articles), each URL once, with its bytes.
_PHOTOS_SQL = """SELECT u.url, u.fetched_at, b.content_type, b.data FROM photo_urls u
JOIN photo_blobs b ON b.sha256 = u.sha256
WHERE ? IS NULL OR u.url IN (SELECT p.url FROM photos p JOIN articles a ON a.id = p.article WHERE a.site = ?)
ORDER BY u.fetched_at, u.url"""


def _photos(db: Database, site: str | None) -> Iterator[tuple[str, str, str | None, bytes]]:
    yield from db.execute(_PHOTOS_SQL, [site, site])


def _write_exchange(writer: WARCWriter, page: Any) -> None:
    date = warc_date(page.fetched_at)
    response = writer.create_warc_record(
        page.url, "response", payload=BytesIO(page.body), length=len(page.body),
        http_headers=response_headers(page.status, page.headers, len(page.body)),
        warc_headers_dict={"WARC-Date": date})
    request = writer.create_warc_record(
        page.url, "request", payload=BytesIO(b""), length=0, http_headers=request_headers(page.url),
        warc_headers_dict={"WARC-Date": date,
                           "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
    writer.write_record(response)
    writer.write_record(request)


@contextmanager
def _output(path: str | None, binary: bool) -> Iterator[IO[Any]]:
    """Standard output for None or ``-``; else ``path`` (a regular file or nothing yet, see
    :func:`~newscrawl.archive.paths.output_path`) written through a new temporary file beside
    it, renamed over it at the end: a failed export leaves no half-written file, and nothing
    at the path is written through (a symlink, a device) or truncated before the end."""
    if path in (None, "-"):
        yield sys.stdout.buffer if binary else sys.stdout
        return
    target = output_path(path)
    try:
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise NewscrawlError(f"cannot write {path}: {exc.strerror}") from exc
    try:
        with open(handle, "wb") if binary else open(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export(db: Database, fmt: str, path: str | None = None, site: str | None = None) -> int:
    """Export in ``fmt`` (one of :data:`FORMATS`) to ``path`` or standard output (None or
    ``-``); returns the count.

    WARC goes gzip-compressed (record by record, as is usual) when ``path`` ends in ``.gz``.
    """
    if fmt == "warc":
        with _output(path, binary=True) as out:
            return export_warc(db, out, site, gzip=bool(path and path.endswith(".gz")))
    writers = {"jsonl": export_jsonl, "csv": export_csv}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    with _output(path, binary=False) as out:
        return writers[fmt](db, out, site)
