"""Decoding page bytes: UTF-8 today, EUC-KR/CP949 on older Korean sites.

The order is the browser's: byte-order mark, the HTTP ``Content-Type`` charset, the page's
``<meta>`` charset, then a guess. w3lib does the first three (and reads ``euc-kr`` as its
superset ``cp949``, as browsers do); the guess tries strict UTF-8, then strict CP949, so a
Korean page with no declaration never turns into mojibake.

A declaration can be wrong: a server that labels every page UTF-8 or ISO-8859-1 while the
page is written in EUC-KR. A browser shows such a page as mojibake; the archive must not
keep it. So when the declared encoding cannot decode the bytes (replacement characters), or
is a Western single-byte encoding while the bytes read as Korean text in UTF-8 or CP949, the
Korean reading wins.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_to_unicode

_KOREAN_ENCODINGS = ("utf-8", "cp949")
#: Encodings that decode any byte, so they never fail on Korean bytes — they garble them.
_WESTERN = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"})
#: Share of non-ASCII characters that must be Hangul for CP949 to overrule a Western label.
_HANGUL_SHARE = 0.8
#: What binary data decoded as text is full of: control characters (not tab, newline,
#: carriage return or form feed) and replacement characters. A regular expression counts
#: them at C speed; a loop over 4,096 characters cost more than parsing the page.
_BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _guess_encoding(body: bytes) -> str | None:
    for encoding in _KOREAN_ENCODINGS:
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of an HTML page; undecodable bytes become U+FFFD."""
    text, encoding, _is_html = read_html(body, content_type)
    return text, encoding


def read_html(body: bytes, content_type: str | None = None) -> tuple[str, str, bool]:
    """:func:`decode_html`'s ``(text, encoding)``, and whether the text
    :func:`looks_like_html` (known on the way: the test reads 4,096 characters)."""
    try:
        encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)
    except (LookupError, UnicodeError):
        # The header or <meta> names a Python codec that is no text encoding ("undefined",
        # "base64", "idna"): a browser ignores such a label, and so does this.
        encoding = _guess_encoding(body) or "utf-8"
        text = body.decode(encoding, errors="replace")
    if "\ufffd" in text or _canonical(encoding) in _WESTERN:
        better = _korean_reading(body, western=_canonical(encoding) in _WESTERN)
        if better:
            return (*better, looks_like_html(better[0]))
    if not looks_like_html(text):
        # Neither declared nor Korean, and unreadable as UTF-8: a browser reads such a page
        # as windows-1252 (a Latin-1 page without a charset used to be called "not HTML").
        western = _western_reading(body)
        if western:
            return (*western, True)
        return text, encoding, False
    return text, encoding, True


def _western_reading(body: bytes) -> tuple[str, str] | None:
    """The page read as windows-1252 (or ISO-8859-1, which decodes every byte), when that
    reads as a web page and not as binary data."""
    for encoding in ("cp1252", "latin-1"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_like_html(text):
            return text, encoding
    return None


def _korean_reading(body: bytes, western: bool) -> tuple[str, str] | None:
    """The page read as UTF-8 or CP949, when one of them decodes every byte (and, to overrule
    a Western label, reads as Korean text)."""
    if western and body.isascii():
        return None
    for encoding in _KOREAN_ENCODINGS:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not western or encoding == "utf-8" or _mostly_hangul(text):
            return text, encoding
    return None


def _mostly_hangul(text: str) -> bool:
    non_ascii = [ch for ch in text if not ch.isascii()]
    hangul = sum(1 for ch in non_ascii if "\uac00" <= ch <= "\ud7a3")
    return bool(non_ascii) and hangul / len(non_ascii) >= _HANGUL_SHARE


def _canonical(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


def looks_like_html(text: str) -> bool:
    """False for content that is not a web page at all (binary data, an empty file)."""
    head = text[:4096]
    if not head.strip():
        return False
    binary = len(_BINARY_CHARACTERS.findall(head))
    return "<" in head and binary / len(head) < 0.05
