"""``newscrawl extract`` over many saved pages, as trafilatura users expect: files, a folder
(``--input-dir``), standard input (``-``), several output formats, worker processes.

Each page is read on its own (:func:`newscrawl.run.extract_file`); a page that is not an
article is reported with its file's name and the rest go on. Output keeps the input order,
whatever ``--parallel`` finishes first.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import NewscrawlError
from .run import extract_bytes, generic_note

FORMATS = ("json", "jsonl", "txt", "markdown")
#: What ``--input-dir`` takes from a folder (a saved site also holds styles, scripts, images).
PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
STDIN = "-"


@dataclass(frozen=True)
class Read:
    """One input: the article's JSON object, or why the page was refused."""

    source: str
    article: dict[str, Any] | None = None
    note: str | None = None
    error: str | None = None


def input_pages(files: tuple[str, ...], input_dir: str | None) -> list[str]:
    """The files to read, in order: those named, then the folder's pages (sorted, recursively);
    a folder without pages is an error."""
    pages = list(files)
    if input_dir:
        folder = Path(input_dir)
        pages += sorted(str(p) for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
        if not pages:
            raise NewscrawlError(f"{folder.absolute()}: no saved pages there ({', '.join(PAGE_SUFFIXES)})")
    return pages


def read_page(source: str, body: bytes | str, options: dict[str, Any]) -> Read:
    """``body`` (the page saved in ``source``; a str is why it could not be loaded) read as an
    article, or the reason it is not one."""
    if isinstance(body, str):
        return Read(source, error=body)
    try:
        article = extract_bytes(body, source, **options)
    except NewscrawlError as exc:
        return Read(source, error=str(exc).removeprefix(f"{source}: "))
    return Read(source, article=article.to_json(), note=generic_note(article))


def read_all(pages: list[str], parallel: int, options: dict[str, Any]) -> Iterator[Read]:
    """Every page of ``pages`` read, in their order, ``parallel`` at a time."""
    bodies = (_load(source) for source in pages)
    if parallel <= 1:
        yield from (read_page(source, body, options) for source, body in zip(pages, bodies))
        return
    with ProcessPoolExecutor(parallel) as pool:
        yield from pool.map(read_page, pages, bodies, [options] * len(pages), chunksize=4)


def _load(source: str) -> bytes | str:
    """The page's bytes, or why it cannot be read."""
    if source == STDIN:
        return sys.stdin.buffer.read()
    if Path(source).exists() and not Path(source).is_file():  # a FIFO or a device would be read forever
        return "not a regular file (extract reads a saved page)"
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        return f"cannot read the file ({exc.strerror or exc})"


class Tally:
    """Hands on the articles of ``reads``, reporting each refused page (and each note) through
    ``report`` as it comes, and counting the refused."""

    def __init__(self, reads: Iterator[Read], report: Callable[[str], None], many: bool):
        self.reads = reads
        self.report = report
        self.many = many
        self.refused = 0

    def articles(self) -> Iterator[dict[str, Any]]:
        for read in self.reads:
            named = f"{read.source}: " if self.many or read.error else ""
            if read.error:
                self.refused += 1
                self.report(f"newscrawl: error: {named}{read.error}")
                continue
            if read.note:
                self.report(f"newscrawl: {named}{read.note}")
            yield read.article


def render(articles: Iterator[dict[str, Any]], fmt: str, many: bool) -> Iterator[str]:
    """The text of ``articles`` in ``fmt``, piece by piece: ``json`` is one object for one page
    and an array for many, ``jsonl`` one object a line, ``txt`` and ``markdown`` one article
    after another (``txt`` separated by a form feed line)."""
    if fmt == "json" and not many:
        yield from (json.dumps(article, ensure_ascii=False, indent=2) + "\n" for article in articles)
        return
    separator = {"json": ",\n", "txt": "\f\n", "markdown": "\n"}.get(fmt, "")
    if fmt == "json":
        yield "[\n"
    for index, article in enumerate(articles):
        yield (separator if index else "") + TEXT[fmt](article)
    if fmt == "json":
        yield "]\n"


def as_json(article: dict[str, Any]) -> str:
    return json.dumps(article, ensure_ascii=False, indent=2)


def as_jsonl(article: dict[str, Any]) -> str:
    return json.dumps(article, ensure_ascii=False) + "\n"


def as_text(article: dict[str, Any]) -> str:
    """The title, then the body (trafilatura's txt: the text a person reads)."""
    return f"{article['title']}\n\n{article['body']}\n"


def as_markdown(article: dict[str, Any]) -> str:
    """A Markdown document: title, subtitle, date and byline, body paragraphs, photos."""
    lines = [f"# {article['title']}", ""]
    if article["subtitle"]:
        lines += [f"**{article['subtitle']}**", ""]
    about = [value for value in (article["published_at"], article["byline"]) if value]
    lines += [f"*{' · '.join(about)}*", ""] if about else []
    lines += [f"<{article['url']}>", "", article["body"], ""]
    lines += [f"![{_label(photo['caption'] or photo['alt'] or '')}]({photo['url']})" for photo in article["photos"]]
    return "\n".join(lines).rstrip("\n") + "\n"


def _label(text: str) -> str:
    """``text`` as a Markdown link label (brackets escaped, one line)."""
    return " ".join(text.replace("[", "\\[").replace("]", "\\]").split())


TEXT = {"json": as_json, "jsonl": as_jsonl, "txt": as_text, "markdown": as_markdown}
