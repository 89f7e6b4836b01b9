"""Tables in notice bodies: the normaliser writes them, the renderer shows them.

A table without merged cells is a Markdown (GFM) pipe table. A table with merged cells
cannot be one, so it is written as a fenced block of plain HTML (```table); the renderer
rebuilds that from its cells with only table elements, rowspan and colspan, and escaped
text, so whatever an editor types there is shown, never run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape as escape_html

import lxml.html
from lxml import etree

TABLE_FENCE_INFO = "table"
# A wide table scrolls inside its box, not the page; the box takes focus so that keyboard
# users can scroll it too.
SCROLL_OPEN = '<div class="table-scroll" role="region" aria-label="表格" tabindex="0">'
SCROLL_CLOSE = "</div>\n"
PARTS = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
SPANS = ("rowspan", "colspan")


def pipe_table(rows: Sequence[Sequence[str]], escape: Callable[[str], str]) -> str:
    """Rows of cell text → a pipe table; the first row is its header, short rows are padded."""
    width = max(len(row) for row in rows)

    def line(cells: Sequence[str]) -> str:
        padded = [*cells, *[""] * (width - len(cells))]
        return "| " + " | ".join(escape(cell).replace("|", "\\|") for cell in padded) + " |"

    return "\n".join([line(rows[0]), "|" + " --- |" * width, *(line(row) for row in rows[1:])])


def fenced_html_table(rows: Sequence[Sequence[tuple[str, int, int, bool]]]) -> str:
    """Rows of (text, rowspan, colspan, is_header) → a ```table block of plain HTML."""
    lines = ["<table>"]
    for row in rows:
        cells = []
        for text, rowspan, colspan, head in row:
            tag = "th" if head else "td"
            spans = "".join(f' {name}="{value}"' for name, value in (("rowspan", rowspan), ("colspan", colspan))
                            if value > 1)
            cells.append(f"<{tag}{spans}>{escape_html(text, quote=False)}</{tag}>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    body = "\n".join(lines)
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", body))])
    return f"{fence}{TABLE_FENCE_INFO}\n{body}\n{fence}"


def _clean(element: lxml.html.HtmlElement) -> str:
    """Only table parts with their spans and their text: any other markup is dropped."""
    if element.tag not in PARTS:
        return escape_html(element.text_content(), quote=False)
    attributes = "".join(f' {name}="{int(value)}"' for name in SPANS
                         if (value := element.get(name, "")).isdigit() and 1 < int(value) <= 1000)
    inner = escape_html(element.text or "", quote=False) if element.tag in ("th", "td", "caption") else ""
    for child in element:
        if element.tag in ("th", "td", "caption"):
            inner += escape_html(child.text_content(), quote=False)
        elif child.tag in PARTS:
            inner += _clean(child)
        if element.tag in ("th", "td", "caption"):
            inner += escape_html(child.tail or "", quote=False)
    return f"<{element.tag}{attributes}>{inner}</{element.tag}>"


def render_table_fence(source: str) -> str:
    """The HTML of a ```table block, rebuilt safely."""
    try:
        fragment = lxml.html.fragment_fromstring(source, create_parent="div")
    except (etree.ParserError, ValueError):
        return f"<pre>{escape_html(source)}</pre>"
    tables = [child for child in fragment if child.tag == "table"]
    if not tables:
        return f"<pre>{escape_html(source)}</pre>"
    return "".join(f"{SCROLL_OPEN}{_clean(table)}{SCROLL_CLOSE}" for table in tables)
