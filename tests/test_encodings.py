"""EUC-KR and CP949 pages, declared by header, by ``<meta>`` or not at all: no mojibake, ever.

Mojibake is what a wrong decoding leaves: U+FFFD for undecodable bytes, UTF-8 or EUC-KR
bytes read as Latin-1 (``ì\\x84¸``, ``¼¼Á¾``), C1 control characters. The test fails if any of
it appears in any field of any fixture, or of any page the mock server sends with each kind
of declaration — including a server whose header names the wrong charset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import GENERIC_DIR, JOONGDO, NDSOFT_DIR, SEED_HTML, SEED_URL, VARIANTS_DIR, run_newscrawl
from newscrawl.extract.encoding import decode_html
from newscrawl.run import extract_file

MOJIBAKE = re.compile(
    r"\ufffd"                          # bytes the decoder could not read
    r"|[\u0080-\u009f]"                # C1 controls: UTF-8 or CP949 bytes read as Latin-1
    r"|[\u00c0-\u00ff][\u0080-\u00bf]"  # a UTF-8 lead byte and its continuation, read as Latin-1
    r"|[\u00a1-\u00fe]{2,}"            # an EUC-KR byte pair read as Latin-1 (¼¼Á¾ for 세종)
)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def mojibake_in(article: dict) -> list[str]:
    return [s for s in strings(article) if MOJIBAKE.search(s)]


@pytest.mark.parametrize("garbled", [
    "세종시".encode().decode("latin-1"),
    "세종시".encode("euc-kr").decode("latin-1"),
    "세종시".encode().decode("cp949", errors="replace"),
    "세종\ufffd",
])
def test_the_detector_catches_typical_mojibake(garbled):
    assert mojibake_in({"title": garbled})


FIXTURE_PAGES = {
    "seed": (SEED_HTML, SEED_URL),
    "redesign": (VARIANTS_DIR / "joongdo-redesign.html", SEED_URL),
    "old-euckr-meta": (VARIANTS_DIR / "joongdo-old-euckr-meta.html", SEED_URL),
    "old-euckr-undeclared": (VARIANTS_DIR / "joongdo-old-euckr-nodecl.html", SEED_URL),
    "metadata-only": (VARIANTS_DIR / "joongdo-metadata-only.html", SEED_URL),
    "ndsoft": (NDSOFT_DIR / "articleView-21457.html", None),
    "generic": (GENERIC_DIR / "chungnam-today-1234.html", None),
}


@pytest.mark.parametrize("name", FIXTURE_PAGES)
def test_no_mojibake_in_any_fixture(name):
    path, url = FIXTURE_PAGES[name]
    article = extract_file(path, url=url).to_json()
    assert mojibake_in(article) == []
    assert len(re.findall("[가-힣]", article["title"])) >= 10 and len(re.findall("[가-힣]", article["body"])) >= 100


KOREAN = "천안시 시내버스 김똠이 씨"  # 똠 is in CP949 only, not in EUC-KR proper


@pytest.mark.parametrize("body, content_type, encoding", [
    (f"<html><head></head><body>{KOREAN}</body></html>".encode("cp949"), "text/html; charset=euc-kr", "cp949"),
    (f'<html><head><meta charset="euc-kr"></head><body>{KOREAN}</body></html>'.encode("cp949"), None, "cp949"),
    (f"<html><body>{KOREAN}</body></html>".encode("cp949"), None, "cp949"),
    (f"<html><body>{KOREAN}</body></html>".encode("cp949"), "text/html; charset=utf-8", "cp949"),
    (f"<html><body>{KOREAN}</body></html>".encode("cp949"), "text/html; charset=iso-8859-1", "cp949"),
    (f"<html><body>{KOREAN}</body></html>".encode(), "text/html; charset=iso-8859-1", "utf-8"),
], ids=["header", "meta", "undeclared", "header-says-utf-8", "header-says-latin-1", "utf-8-labelled-latin-1"])
def test_korean_bytes_decode_whatever_the_declaration(body, content_type, encoding):
    text, used = decode_html(body, content_type)
    assert KOREAN in text
    assert used == encoding


def test_a_western_page_labelled_latin_1_stays_latin_1():
    text, used = decode_html("<html><body>Caf\u00e9 cr\u00e8me \u201cquoted\u201d</body></html>".encode("cp1252"),
                             "text/html; charset=iso-8859-1")
    assert "Café crème “quoted”" in text and used == "cp1252"


#: Pages the mock server re-encodes: (fixture path under the server root, charset, label).
SERVED = {
    "seed": (f"{JOONGDO.name}/{SEED_HTML.name}", "euc-kr", "euc-kr"),
    "redesign": ("variants/joongdo-redesign.html", "euc-kr", "euc-kr"),
    "ndsoft": ("ndsoft/articleView-21457.html", "euc-kr", "euc-kr"),
    # Servers that say EUC-KR send CP949 (UHC) bytes: 똠 exists in CP949 only.
    "generic": ("generic/chungnam-today-1234.html", "cp949", "euc-kr"),
}
CASES = [(page, declare) for page in SERVED for declare in ("header", "meta", "none")]


def fetched(url: str) -> dict:
    result = run_newscrawl("fetch", url, "--json", "--no-store", "--timeout", "5", "-s", "DOWNLOAD_DELAY=0",
                           "-s", "AUTOTHROTTLE_START_DELAY=0")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def same_article(served: dict, path: Path) -> None:
    """``served`` has no mojibake and every field of the UTF-8 original read from ``path``."""
    assert mojibake_in(served) == []
    original = extract_file(path, url=served["url"]).to_json()
    assert {k: v for k, v in served.items() if k != "fetched_at"} == \
        {k: v for k, v in original.items() if k != "fetched_at"}


@pytest.mark.parametrize("page, declare", CASES, ids=[f"{p}-{d}" for p, d in CASES])
def test_served_pages_decode_with_every_kind_of_declaration(fixtures_site, page, declare):
    path, charset, label = SERVED[page]
    served = fetched(f"{fixtures_site.url}/encoded/{path}?charset={charset}&declare={declare}&label={label}")
    same_article(served, fixtures_site.root / path)


@pytest.mark.parametrize("label", ["utf-8", "iso-8859-1"])
def test_a_server_that_names_the_wrong_charset(fixtures_site, label):
    path = "variants/joongdo-redesign.html"
    served = fetched(f"{fixtures_site.url}/encoded/{path}?charset=euc-kr&declare=header&label={label}")
    same_article(served, fixtures_site.root / path)


@pytest.mark.parametrize("name, query", [
    ("joongdo-old-euckr-meta.html", ""),
    ("joongdo-old-euckr-nodecl.html", ""),
    ("joongdo-old-euckr-nodecl.html", "?charset=euc-kr"),
], ids=["meta", "undeclared", "header"])
def test_served_old_euc_kr_pages(fixtures_site, name, query):
    served = fetched(f"{fixtures_site.url}/files/variants/{name}{query}")
    assert mojibake_in(served) == []
    assert served["title"] == "세종시, 전자정부 정보보호 우수기관 선정"
    assert served["body"].startswith("세종시가 8일 서울 더케이호텔에서")
