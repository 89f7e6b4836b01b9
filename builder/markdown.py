"""Notice bodies (Markdown) → HTML.

A body is CommonMark with pipe tables, plus three marks the normaliser writes on lines of
their own (builder/normalize/emit.py): containers (`::: signature` … `:::`), block
attributes (`{#attachment-1 .attachment-label}` above a paragraph) and ```table fences.
markdown-it-py with mdit-py-plugins defines that syntax: `reference_renderer`.

Rendering bodies dominated a cold build, so a body laid out as the normaliser lays it out
(containers, a nested one inside longer marks; attributes of id and class on the block
below them; no link reference definitions) is cut at those lines, and its CommonMark
pieces are rendered by markdown-it's Rust port (markdown-it-pyrs), much faster and with
the same HTML (tests/test_markdown.py compares the two). Any other body takes the
reference renderer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from html import escape

import markdown_it_pyrs
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.container import container_plugin

from builder.body_format import ANCHOR, CONTAINERS, MARKED
from builder.tables import SCROLL_CLOSE, SCROLL_OPEN, TABLE_FENCE_INFO, render_table_fence

# CommonMark and pipe tables; raw HTML rules left out, so HTML in a body is shown as text.
CORE_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
              "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table"]

NAMES = "|".join(CONTAINERS)
CONTAINER_OPEN = re.compile(rf"(:{{3,}}) ({NAMES})[ \t]*")
CONTAINER_CLOSE = re.compile(r"(:{3,})[ \t]*")
# Lines that may be marks or fences; all others are CommonMark text. The patterns that look
# at line starts begin with a newline (the text is searched with one put in front): a
# literal first character lets the regex engine skip ahead, which ^ does not.
CANDIDATE = re.compile(r"\n((?: {0,3}(?:`{3,}|~{3,})|:{3,}|\{)[^\n]*)")
FENCE_OPEN = re.compile(r" {0,3}(?P<marks>`{3,}|~{3,})(?P<info>.*)")
FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")
# Lines the fast path does not judge alone: indented or unknown marks; link reference
# definitions, which reach across the pieces it renders; block quotes, whose lazy lines the
# two engines end differently (the normaliser writes none of these).
UNUSUAL = re.compile(rf"\n(?:[ \t]+(?::::|\{{)|:{{3,}}(?!:)(?! (?:{NAMES})[ \t]*$)(?![ \t]*$)"
                     r"| {0,3}>|[ \t]*\[[^\]\n]+\]:)", re.MULTILINE)
# A table's delimiter row, or a line that may be one. The engines agree on tables written as
# the normaliser writes them, a block of `| … |` rows, but not on ragged ones.
DELIMITER_ROW = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$", re.MULTILINE)
PIPE_ROW = re.compile(r" {0,3}\|.*\|[ \t]*")
BLANK_LINES = re.compile(r"\n[ \t]*\n")
FIRST_TAG = re.compile(r"<(p|h[1-6]|ul|blockquote)>")


def theme_attributes(attrs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The attributes of an attribute line that the theme uses, in their order: the classes
    and anchors of the body's layout (builder/body_format.py), which the normaliser writes.
    Anything else (style=, tabindex, autofocus, other classes) is dropped: one such line
    could restyle the whole page."""
    kept = []
    for key, value in attrs:
        if key == "class":
            value = " ".join(name for name in value.split() if name in MARKED)
        elif key != "id" or not ANCHOR.fullmatch(value):
            continue
        if value:
            kept.append((key, value))
    return tuple(kept)


def _theme_attributes_only(state: StateCore) -> None:
    """After the attributes plugin: block tokens keep only the theme's ids and classes
    (nothing else in this renderer sets either before rendering)."""
    for token in state.tokens:
        if token.attrs and ("class" in token.attrs or "id" in token.attrs):
            others = {key: value for key, value in token.attrs.items() if key not in ("class", "id")}
            token.attrs = {**others, **dict(theme_attributes((k, str(v)) for k, v in token.attrs.items()))}


def reference_renderer() -> MarkdownIt:
    """CommonMark with raw HTML off (text from content is always shown, never run), pipe
    tables, and ```table blocks for tables with merged cells (builder/tables.py)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(attrs_block_plugin, allowed=("id", "class"))
    md.core.ruler.after("attr", "theme_attributes", _theme_attributes_only)
    for name in CONTAINERS:
        md.use(container_plugin, name=name)
    default_fence = md.renderer.rules["fence"]  # type: ignore[attr-defined]  # the protocol omits `rules`

    def fence(renderer, tokens, index, options, env):  # type: ignore[no-untyped-def]
        token = tokens[index]
        if token.info.strip() == TABLE_FENCE_INFO:
            return render_table_fence(token.content)
        return default_fence(tokens, index, options, env)

    md.add_render_rule("fence", fence)
    md.add_render_rule("table_open", lambda *_: SCROLL_OPEN + "<table>\n")
    md.add_render_rule("table_close", lambda *_: "</table>\n" + SCROLL_CLOSE)
    return md


REFERENCE = reference_renderer()
FAST = markdown_it_pyrs.MarkdownIt("zero").enable_many(CORE_RULES)  # type: ignore[arg-type]  # names as literals


class Unusual(Exception):
    """The body leaves the normaliser's layout: the reference renderer takes it."""


def render_markdown(text: str) -> str:
    """A notice body's HTML: by the fast path where the body is in the normaliser's layout,
    else by the reference renderer, with the same HTML either way."""
    fast = fast_html(text)
    return REFERENCE.render(text) if fast is None else fast


def fast_html(text: str) -> str | None:
    """The body's HTML by the fast path, or None where it leaves the normaliser's layout."""
    if UNUSUAL.search("\n" + text):
        return None
    try:
        return _fast(text)
    except Unusual:
        return None


@lru_cache(maxsize=1024)  # the same few lines, {.note} and the like, in every notice
def _attributes(line: str) -> tuple[tuple[str, str], ...] | None:
    """`{#id .class}` on a line of its own, as the attributes plugin reads it; else None."""
    line = line.rstrip(" \t")
    if not line.endswith("}"):
        return None
    try:
        return theme_attributes(parse_attrs(line)[1].items())
    except ParseError:
        return None


def _plain_tables(source: str) -> bool:
    return "|" not in source or not DELIMITER_ROW.search(source) or all(
        all(PIPE_ROW.fullmatch(line) for line in block.strip("\n").split("\n"))
        for block in BLANK_LINES.split(source) if DELIMITER_ROW.search(block))


def _commonmark(source: str, attrs: tuple[tuple[str, str], ...] | None) -> str:
    if not _plain_tables(source):
        raise Unusual
    html = FAST.render(source)
    if "<table>" in html:
        html = html.replace("<table>\n", SCROLL_OPEN + "<table>\n").replace("</table>\n", "</table>\n" + SCROLL_CLOSE)
    if attrs is None:
        return html
    first = FIRST_TAG.match(html)
    if not first:
        raise Unusual  # only what the normaliser writes: attributes on a plain block
    written = "".join(f' {key}="{escape(value)}"' for key, value in attrs)
    return f"<{first[1]}{written}>{html[first.end():]}"


def _fast(text: str) -> str:
    """The body cut at its mark lines, each CommonMark piece rendered alone; raises Unusual
    wherever cutting there could change what a line means. Only lines that may be marks or
    fences are looked at; the text between them goes to the pieces as it is."""
    cutter = _Cutter()
    text = "\n" + text
    position = 1
    for candidate in CANDIDATE.finditer(text):
        cutter.take(text[position:candidate.start(1)], candidate[1])
        position = candidate.end(1) + 1
    return cutter.finish(text[position:])


class _Cutter:
    """One body's cutting, fed its text a candidate line at a time: what is written so far,
    the CommonMark piece being gathered, and the marks still open. The reference renderer's
    reading of each mark line is checked before it is cut there."""

    __slots__ = ("attrs", "block_start", "containers", "fence", "out", "piece")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.piece: list[str] = []
        self.attrs: tuple[tuple[str, str], ...] | None = None  # from an attribute line, for the next block
        self.containers: list[tuple[int, int]] = []  # open ones, innermost last: colons, where in `out`
        self.fence: tuple[str, list[str] | None] | None = None  # its marks; the text of a ```table fence
        self.block_start = True  # whether a mark line here starts a block (the reference reads it so)

    def take(self, between: str, line: str) -> None:
        """The text up to a candidate line, then the line: a fence's line while one is open,
        else whichever mark it is, or CommonMark text after all."""
        fence = self.fence
        if fence is not None:
            self.in_fence(fence, between, line)
            return
        if between:
            self.piece.append(between)
            self.block_start = not between[:-1].rpartition("\n")[2].strip()
        opening = FENCE_OPEN.fullmatch(line)
        if opening:
            self.open_fence(line, opening["marks"], opening["info"])
            return
        opened = CONTAINER_OPEN.fullmatch(line)
        if opened:
            self.open_container(len(opened[1]), opened[2])
            return
        closed = CONTAINER_CLOSE.fullmatch(line)
        if closed:
            self.close_container(len(closed[1]))
            return
        found = _attributes(line) if line.startswith("{") else None
        if found is not None:
            self.attribute_line(found)
            return
        self.piece.append(line + "\n")
        self.block_start = False

    def finish(self, rest: str) -> str:
        """The body's HTML, once the text after its last candidate line is in; a mark left
        open is Unusual, since the two engines end an unclosed fence differently."""
        if self.containers or self.fence is not None:
            raise Unusual
        self.piece.append(rest)
        self.flush()
        return "".join(self.out)

    def flush(self) -> None:
        """Renders the piece gathered so far, with the attributes above it, before a mark
        line that ends it: each piece goes to the fast engine on its own."""
        html = _commonmark("".join(self.piece), self.attrs) if self.piece or self.attrs is not None else ""
        if html:
            self.out.append(html)
        self.piece, self.attrs = [], None

    def in_fence(self, fence: tuple[str, list[str] | None], between: str, line: str) -> None:
        """Inside a fence every line is its text, up to the fence that closes it: a code
        fence's stays in the piece, a ```table fence's is rendered by builder/tables.py."""
        marks, table = fence
        kept = self.piece if table is None else table
        kept.append(between)
        closing = FENCE_CLOSE.fullmatch(line)
        if closing and closing[1][0] == marks[0] and len(closing[1]) >= len(marks):
            self.fence, self.block_start = None, True
            if table is not None:
                self.out.append(render_table_fence("".join(table)))
                return
        elif line.startswith(":::"):
            raise Unusual  # the reference ends a container there, fence or not
        kept.append(line + "\n")

    def open_fence(self, line: str, marks: str, info: str) -> None:
        """A line of backticks or tildes: inline code when its info has a backtick, a
        ```table fence (which ends the piece), or a code fence, which stays in the piece."""
        if marks[0] == "`" and "`" in info:
            self.piece.append(line + "\n")  # not a fence: inline code
            self.block_start = False
        elif info.strip() == TABLE_FENCE_INFO:
            if not self.block_start or line[0] == " ":
                raise Unusual
            self.flush()
            self.fence = (marks, [])
        else:
            self.fence = (marks, None)
            self.piece.append(line + "\n")

    def open_container(self, colons: int, name: str) -> None:
        """`::: name`: its div opens where a block may start and no open container ends there."""
        if not self.block_start or (self.containers and colons >= self.containers[-1][0]):
            raise Unusual  # after a line that may take it in, or inside one it would end
        self.flush()
        self.containers.append((colons, len(self.out)))
        self.out.append(f'<div class="{name}">\n')

    def close_container(self, colons: int) -> None:
        """`:::` closing the innermost container, as many colons as opened it; any other is Unusual."""
        if not self.containers or colons != self.containers[-1][0]:
            raise Unusual
        self.flush()
        if self.containers.pop()[1] == len(self.out) - 1:  # empty: the reference writes it on one line
            self.out[-1] = self.out[-1][:-1]
        self.out.append("</div>\n")
        self.block_start = True

    def attribute_line(self, found: tuple[tuple[str, str], ...]) -> None:
        """`{#id .class}`: kept for the block below, which starts a new piece; one line only."""
        if not self.block_start or self.attrs is not None:
            raise Unusual
        self.flush()
        self.attrs, self.block_start = found, True
