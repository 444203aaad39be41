"""Article photos found by how pages caption them, whatever the markup's class names.

Three shapes cover Korean news pages old and new:

* ``<figure><img><figcaption>…</figcaption></figure>``;
* a table whose one row holds the image and the next row its caption (older CMSs);
* an image followed by a caption line that starts with ``▲`` (``▲ 시민들이 … /사진=…``).

A photo inside a link is a teaser of another article (photo-news boxes), and a photo in the
page's navigation, header, footer or sidebar is no article photo: both are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from .short import PageText
from .text import BLOCK_TAGS, inside, node_text, normalise_space

_CAPTION_MARK = ("▲", "△", "▶")
_OUTSIDE_ARTICLE = frozenset({"a", "nav", "aside", "footer", "header", "button"})


@dataclass(frozen=True)
class FoundPhoto:
    """An image, the node that holds it with its caption, and the caption as printed.

    For a ``▲`` caption that follows the image in running text, ``node`` is the image
    itself: the caption's line is no node of its own to cut from the body.
    """

    node: etree._Element
    img: etree._Element
    raw_caption: str | None


def article_photos(root: etree._Element, texts: list[PageText] | None = None) -> list[FoundPhoto]:
    """Every article photo under ``root``, in page order, one per image.

    ``texts`` are the page's :func:`~newscrawl.extract.short.page_texts`, if known: when
    none holds a caption mark, no image is followed by a caption line, and the search for
    one (an XPath per image) is skipped.
    """
    found: dict[etree._Element, FoundPhoto] = {}
    marked = _marked_captions(root) if texts is None or any(map(_has_caption_mark, (t for t, _ in texts))) else ()
    for photo in (*_figures(root), *_caption_tables(root), *marked):
        if photo.img not in found and not inside(photo.img, _OUTSIDE_ARTICLE):
            found[photo.img] = photo
    order = {img: index for index, img in enumerate(root.iter("img"))}
    return sorted(found.values(), key=lambda p: order.get(p.img, 0))


def _figures(root: etree._Element) -> Iterator[FoundPhoto]:
    for figure in root.iter("figure"):
        imgs = figure.xpath(".//img")
        if imgs:
            caption = figure.xpath(".//figcaption")
            yield FoundPhoto(figure, imgs[0], node_text(caption[0]) if caption else None)


def _caption_tables(root: etree._Element) -> Iterator[FoundPhoto]:
    """Tables of two rows: one image, then a caption that is text, not a link."""
    for table in root.iter("table"):
        rows = table.xpath("./tr | ./tbody/tr")
        imgs = table.xpath(".//img")
        if len(rows) != 2 or len(imgs) != 1 or not rows[0].xpath(".//img"):
            continue
        caption = rows[1]
        if caption.xpath(".//img | .//a | .//table"):
            continue
        text = node_text(caption)
        if text:
            yield FoundPhoto(table, imgs[0], text)


def _has_caption_mark(text: str) -> bool:
    return not text.isascii() and any(mark in text for mark in _CAPTION_MARK)


def _marked_captions(root: etree._Element) -> Iterator[FoundPhoto]:
    """Images whose next line of text on the page starts with ``▲``."""
    for img in root.iter("img"):
        following = img.xpath("following::text()[normalize-space()][1]")
        if not following or not normalise_space(following[0]).startswith(_CAPTION_MARK):
            continue
        text, holder = following[0], following[0].getparent()
        if text.is_tail:
            caption = _line_from(text, holder)
        else:
            # The caption's element, so that a credit in a nested <span> comes along.
            whole = node_text(holder)
            caption = whole if whole.startswith(_CAPTION_MARK) and len(whole) < 300 else normalise_space(text)
        yield FoundPhoto(img, img, caption)


def _line_from(tail: str, owner: etree._Element) -> str:
    """``tail`` (the text after ``owner``) and the inline elements after it, up to a line break."""
    parts = [tail]
    for sibling in owner.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag.lower() in BLOCK_TAGS:
            break
        parts += [node_text(sibling), sibling.tail or ""]
    return normalise_space(" ".join(parts))
