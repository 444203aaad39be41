"""Decoding page bytes: UTF-8 today, EUC-KR/CP949 on older Korean sites.

The order is the browser's: byte-order mark, the HTTP ``Content-Type`` charset, the page's
``<meta>`` charset, then a guess. w3lib does the first three (and reads ``euc-kr`` as its
superset ``cp949``, as browsers do); the guess tries strict UTF-8, then strict CP949, so a
Korean page with no declaration never turns into mojibake.
"""

from __future__ import annotations

from w3lib.encoding import html_to_unicode


def _guess_encoding(body: bytes) -> str | None:
    for encoding in ("utf-8", "cp949"):
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of an HTML page; undecodable bytes become U+FFFD."""
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)
    return text, encoding


def looks_like_html(text: str) -> bool:
    """False for content that is not a web page at all (binary data, an empty file)."""
    head = text[:4096]
    if not head.strip():
        return False
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\n\r\f")
    replacements = head.count("\ufffd")
    return "<" in head and (controls + replacements) / len(head) < 0.05
