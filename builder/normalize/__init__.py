"""Raw portal text → Notice → front-matter Markdown. The only code that knows raw text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import islice
from typing import Any

from builder.config import TagRules
from builder.i18n import _, for_content
from builder.model import Notice
from builder.normalize.assemble import assemble, body_text
from builder.normalize.decode import DecodeError, Line, clean_lines, decode
from builder.normalize.emit import body_markdown, front_matter_markdown
from builder.normalize.explain import field_choices, line_roles
from builder.normalize.furniture import strip_furniture
from builder.normalize.html import NotAPage, Page, read_page
from builder.normalize.metadata import extract
from builder.normalize.rejoin import provenance, rejoin
from builder.normalize.split import split_lines
from builder.normalize.structure import parse

MIN_CJK_CHARS = 20  # less Chinese text than this is not a notice
CJK = re.compile(r"[\u3400-\u9fff]")
ASCII_SLUG = re.compile(r"[^a-z0-9]+")


class NotANotice(ValueError):
    """The file holds no notice (a table's record, a page of links, too little text): its
    reason is reported, and nothing is written for it."""


@dataclass(frozen=True)
class Normalized:
    """One raw file normalised: its notice, the content file's Markdown, the slug that names
    the file, and the report of what was stripped and where each field came from."""

    notice: Notice
    markdown: str
    slug: str
    report: dict[str, Any]  # furniture stripped and raw lines behind each key


def slug_for(notice: Notice) -> str:
    """ASCII and stable: the 索引号 when it is ASCII, else date plus a hash of the title
    (of the text, where the title is only a guess: untitled parts of one regulation would
    all guess 第二章 规范与倡导)."""
    index = notice.index_no or ""
    if index.isascii() and (slug := ASCII_SLUG.sub("-", index.lower()).strip("-")):
        return slug
    day = (notice.dated or "undated")[:10]
    named = notice.title if notice.title and "title" not in notice.inferred else notice.body
    digest = hashlib.sha1(f"{index}\n{named}".encode()).hexdigest()[:8]
    return f"{day}-{digest}"


def _lines(lines: list[Line]) -> list[dict[str, Any]]:
    return [{"line": raw.number, "text": raw.text} for line in lines for raw in provenance(line)]


def normalize_bytes(data: bytes, source: str, tag_rules: TagRules) -> Normalized:
    """A raw text file's notice. Raises DecodeError or NotANotice with a one-line reason."""
    return _normalize(decode(data), source, tag_rules, None)


def normalize_page(data: bytes, source: str, tag_rules: TagRules) -> Normalized:
    """A saved HTML page's notice: its text read as a raw file's, with its tables, file links
    and <meta> values. Raises DecodeError or NotANotice with a one-line reason."""
    try:
        page = read_page(data)
    except NotAPage as err:
        raise NotANotice(str(err)) from None
    return _normalize(page.text, source, tag_rules, page)


def _normalize(raw: str, source: str, tag_rules: TagRules, page: Page | None) -> Normalized:
    stripped = strip_furniture(rejoin(split_lines(clean_lines(raw))))
    meta = extract(stripped.kept)
    skeleton = parse(meta.rest)
    text = body_text(skeleton)
    titled = bool(skeleton.title or skeleton.heading or any(pair.key == "title" and pair.value for pair in meta.pairs))
    # A titled notice may hold nothing but its attachments (…详见附件); an untitled one needs text.
    if not titled and next(islice(CJK.finditer(text), MIN_CJK_CHARS - 1, None), None) is None:
        if meta.pairs:
            raise NotANotice(_("no notice: {pairs} labelled values (a table's record), no title and {count} "
                               "characters of text").format(pairs=len(meta.pairs), count=len(text)))
        raise NotANotice(_("no title and no notice text found ({count} characters left after metadata and portal "
                           "furniture)").format(count=len(text)))
    assembled = assemble(source, meta, skeleton, stripped.publisher_hints, tag_rules, stripped.downloads,
                         page.meta if page else None, page.links if page else ())
    notice = assembled.notice
    if stripped.repeated:
        notice.warnings.append(for_content("the text was given twice over; the second copy is dropped as furniture"))
    notice.body = body_markdown(skeleton, assembled.anchors, page.tables if page else ())
    for link in page.unresolved if page else ():
        notice.warnings.append(for_content("attachment link {link} is relative and the page does not say its own "
                                           "address; kept as written").format(link=link))
    for link in page.refused if page else ():
        notice.warnings.append(for_content("attachment link {link} is no web address (http, https or a relative "
                                           "path); dropped").format(link=link[:80]))
    report = {
        "furniture": [{"line": raw.number, "text": raw.text, "rule": piece.rule}
                      for piece in stripped.furniture for raw in provenance(piece.line)],
        "fields": {key: _lines(lines) for key, lines in assembled.sources.items() if lines},
        "explain": {"fields": field_choices(assembled), "lines": line_roles(stripped, meta, skeleton)},
    }
    return Normalized(notice, front_matter_markdown(notice), slug_for(notice), report)


__all__ = ["DecodeError", "Normalized", "NotANotice", "normalize_bytes", "normalize_page", "slug_for"]
