"""Saved portal pages (.html, .htm) → the lines of text the normaliser reads, plus what only
the HTML carries: data tables, links to attachment files, and the page's <meta> values.

The page is read the way a reader sees it: block elements end lines, scripts, styles,
forms' controls and navigation are dropped, and the rest goes through the same furniture,
metadata and structure rules as scraped text, so a page and its text give the same notice.
A table of data becomes a marker line (TABLE_MARK) that the Markdown emitter replaces by
the table; a metadata table (索引号 | … | 主题分类 | …) becomes one line per cell, the
layout the metadata rules read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from posixpath import basename
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from builder.i18n import _
from builder.normalize.decode import BOMS, DecodeError, decode
from builder.normalize.metadata import LABEL_AT
from builder.normalize.patterns import FILE_TYPES, table_mark
from builder.untrusted import web_address

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
# A declared charset, looked for in the first bytes as browsers do.
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_-]+)""", re.IGNORECASE)
# GB2312 and GBK pages routinely hold characters only GB18030 (their superset) names.
CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                   "big5": "big5hkscs", "utf8": "utf-8"}

DROPPED = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "button",
           "select", "input", "textarea", "nav", "aside", "map", "audio", "video", "head", "dialog"}
DROPPED_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar"}
# Class and id words of portal templates' furniture blocks; whole words only, so that
# `article-header` (which holds the title) is kept while `header` goes.
FURNITURE_NAMES = {"nav", "navbar", "menu", "header", "footer", "breadcrumb", "crumb", "crumbs", "topbar", "sidebar",
                   "banner", "toolbar", "share", "bdsharebuttonbox", "position", "location", "copyright", "foot",
                   "top", "bottom"}
# Page header and footer: furniture, unless inside the article, where <header> holds its title.
OUTER_ONLY = {"header", "footer"}
BLOCKS = {"address", "article", "blockquote", "body", "caption", "center", "dd", "div", "dl", "dt", "figcaption",
          "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html", "li", "main", "ol", "p", "pre",
          "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "header", "footer"}
# <meta> names portals (and the government-site standard) use, by the key they may fill.
META_KEYS = {"articletitle": "title", "pubdate": "published", "contentsource": "publisher"}
LINKS_SHARE_OF_A_LIST_PAGE = 0.5  # a page whose text is mostly links is a home or list page
MIN_CHARACTERS = 40
MAX_CELL = 300  # a longer cell holds page content: the table lays out the page, it is not data


@dataclass(frozen=True)
class Table:
    """A data table of a saved page, put back into the body where its marker line stands."""

    rows: tuple[tuple[Cell, ...], ...]  # a pipe table shows the first as its header row

    @property
    def spans(self) -> bool:
        """Whether some cell spans rows or columns, which a pipe table cannot show."""
        return any(cell.rowspan > 1 or cell.colspan > 1 for row in self.rows for cell in row)


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, its spans and whether it is a header cell."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    head: bool = False


@dataclass(frozen=True)
class Link:
    """A link on the page to an attachment file: its text and its address."""

    text: str
    url: str


@dataclass(frozen=True)
class Page:
    """What a saved page gives the normaliser: its text as lines, and what only the HTML
    carries (data tables, file links, <meta> values), with the links it could not use."""

    text: str  # the page as lines of text, in reading order
    tables: tuple[Table, ...]  # the data tables, in the order of their marker lines
    links: tuple[Link, ...]  # links to attachment files
    meta: dict[str, str]  # front-matter key → value from the page's <meta> tags
    unresolved: tuple[str, ...]  # relative links kept as written: the page's address is unknown
    refused: tuple[str, ...] = ()  # links to files that are no web address (javascript:, data: …): dropped


class NotAPage(ValueError):
    """The file is no notice's page (not HTML, a list or home page, no text): its reason is
    reported, and nothing is written for it."""


def decode_page(data: bytes) -> str:
    """The page's text: by its byte-order mark, else its declared charset, else as a raw file."""
    if any(data.startswith(bom) for bom, _ in BOMS):
        return decode(data)
    declared = CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return data.decode(CHARSET_ALIASES.get(name, name))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: detect instead
    return decode(data)


def _space(text: str | None) -> str:
    return re.sub(r"[ \t\r\n\f]+", " ", text or "")


def _cell_text(cell: etree._Element) -> str:
    texts = [str(text) for text in cell.itertext()]
    return " ".join(_space(text).strip() for text in texts if _space(text).strip())


def _span(cell: etree._Element, name: str) -> int:
    value = re.match(r"\d+", cell.get(name, "1") or "1")
    return max(1, min(int(value.group()), 1000)) if value else 1


def _rows(table: etree._Element) -> list[list[etree._Element]]:
    """The table's rows of cells, not those of a table inside it."""
    rows = [row for row in table.iter("tr") if next(row.iterancestors("table")) is table]
    return [[cell for cell in row if cell.tag in ("td", "th")] for row in rows]


# A cell holding a label alone: a few words and a colon.
LABEL_CELL = re.compile(r"(?=.*[\u4e00-\u9fff])[^:：。，；]{1,16}[:：]")


def _is_metadata(cells: list[str]) -> bool:
    return sum(1 for text in cells if LABEL_AT.match(text)) >= 2


class _Reader:
    """Walks the DOM once, writing lines; tables and links are gathered on the way."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.lines: list[str] = []
        self.current: list[str] = []
        self.tables: list[Table] = []
        self.links: list[Link] = []
        self.unresolved: list[str] = []
        self.refused: list[str] = []
        self.link_chars = 0

    def end_line(self) -> None:
        line = "".join(self.current).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def dropped(self, element: etree._Element) -> bool:
        if element.tag in DROPPED or (element.get("role") or "").lower() in DROPPED_ROLES:
            return True
        if element.get("hidden") is not None or re.search(r"display\s*:\s*none", element.get("style") or ""):
            return True
        names = set((element.get("class") or "").lower().split()) | set((element.get("id") or "").lower().split())
        if names & FURNITURE_NAMES:
            return True
        return element.tag in OUTER_ONLY and not any(a.tag in ("article", "main") for a in element.iterancestors())

    def walk(self, element: etree._Element) -> None:
        if not isinstance(element.tag, str) or self.dropped(element):
            if element.tail:
                self.current.append(_space(element.tail))
            return
        if element.tag == "table":
            self.end_line()
            self.table(element)
        else:
            block = element.tag in BLOCKS
            if block:
                self.end_line()
            if element.tag == "br":
                self.end_line()
            if element.tag == "a":
                self.link(element)
            if element.text:
                self.current.append(_space(element.text))
            for child in element:
                self.walk(child)
            if block:
                self.end_line()
        if element.tail:
            self.current.append(_space(element.tail))

    def link(self, anchor: etree._Element) -> None:
        text = _cell_text(anchor)
        self.link_chars += len(text)
        href = (anchor.get("href") or "").strip()
        path = unquote(urlsplit(href).path) if web_address(href) else href
        if not href or "." + path.rsplit(".", 1)[-1].lower() not in FILE_TYPES:
            return
        if not web_address(href):  # the build would refuse it: javascript:, data:, http://[::1/…
            self.refused.append(href)
            return
        if urlsplit(href).scheme not in ("http", "https"):
            if self.base:
                href = urljoin(self.base, href)
            else:
                self.unresolved.append(href)
        self.links.append(Link(text or basename(path), href))

    def table(self, table: etree._Element) -> None:
        rows = _rows(table)
        nested = any(True for inner in table.iter("table") if inner is not table)
        texts = [[_cell_text(cell) for cell in row] for row in rows]
        width = max((len(row) for row in rows), default=0)
        layout = nested or any(len(text) > MAX_CELL for row in texts for text in row) or any(
            True for _ in table.iter("h1", "h2", "h3", "h4", "h5", "h6"))
        if not layout and _is_metadata([t for row in texts for t in row]):
            # The metadata table: a line per cell, but a label's cell (文件属性：) and its
            # value's make one line, so labels of any portal read as labels.
            for row, row_texts in zip(rows, texts, strict=True):
                labels = [bool(LABEL_CELL.fullmatch(text)) for text in row_texts]
                for index, cell in enumerate(row):
                    joins_next = labels[index] and index + 1 < len(row) and not labels[index + 1]
                    self.walk_cell(cell, new_line=not (index and labels[index - 1]), end_line=not joins_next)
            return
        if layout or len(rows) < 2 or width < 2:
            # A layout table or a list in a table: its cells are lines.
            for row in rows:
                for cell in row:
                    self.walk_cell(cell)
            return
        for anchor in table.iter("a"):
            self.link(anchor)
        cells = tuple(tuple(Cell(text, _span(cell, "rowspan"), _span(cell, "colspan"), cell.tag == "th")
                            for cell, text in zip(row, row_texts, strict=True))
                      for row, row_texts in zip(rows, texts, strict=True) if row)
        self.tables.append(Table(cells))
        self.lines.append(table_mark(len(self.tables) - 1))

    def walk_cell(self, cell: etree._Element, new_line: bool = True, end_line: bool = True) -> None:
        """A cell's text on lines of its own, or run on from the line before or into the next."""
        if new_line:
            self.end_line()
        if cell.text:
            self.current.append(_space(cell.text))
        for child in cell:
            self.walk(child)
        if end_line:
            self.end_line()


def _base_url(document: etree._Element) -> str | None:
    """The page's own address, where the page names it: <base>, canonical link or og:url."""
    for xpath in ("//base/@href", "//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        values = document.xpath(xpath)  # attribute values: strings
        found = [value for value in (values if isinstance(values, list) else []) if isinstance(value, str)
                 and web_address(value) and urlsplit(value).scheme in ("http", "https")]
        if found:
            return found[0]
    return None


def _meta(document: etree._Element) -> dict[str, str]:
    values: dict[str, str] = {}
    for meta in document.iter("meta"):
        key = META_KEYS.get((meta.get("name") or "").strip().lower())
        content = _space(meta.get("content")).strip()
        if key and content and key not in values:
            values[key] = content
    return values


def read_page(data: bytes) -> Page:
    """Raises DecodeError or NotAPage with a one-line reason."""
    text = decode_page(data)
    try:
        document = lxml.html.document_fromstring(text.lstrip("\ufeff"))
    except (etree.ParserError, ValueError) as err:
        raise NotAPage(_("not an HTML page: {reason}").format(reason=err)) from None
    reader = _Reader(_base_url(document))
    reader.walk(document)
    reader.end_line()
    # A line that is only a file's link is the portal's download list: the file is kept as
    # an attachment with its URL.
    link_lines = {link.text for link in reader.links}
    body = "\n".join(line for line in reader.lines if line not in link_lines)
    characters = len(re.sub(r"\s", "", body))
    if characters < MIN_CHARACTERS:
        raise NotAPage(_("no notice text in the page ({count} characters of text outside scripts and menus)")
                       .format(count=characters))
    if reader.link_chars > LINKS_SHARE_OF_A_LIST_PAGE * characters:
        raise NotAPage(_("a page of links, not a notice ({links} of its {count} characters are link text: a portal "
                         "home or list page)").format(links=reader.link_chars, count=characters))
    return Page(body, tuple(reader.tables), tuple(reader.links), _meta(document), tuple(reader.unresolved),
                tuple(reader.refused))


__all__ = ["HTML_SUFFIXES", "Cell", "DecodeError", "Link", "NotAPage", "Page", "Table", "read_page"]
