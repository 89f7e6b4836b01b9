"""Lines a scrape broke inside a token, put back together.

Crawlers that print every inline element of a page on its own line cut 文号, dates and
breadcrumbs into pieces: `内能源公告〔` / `2026` / `〕` / `6` / `号`, `202` / `6` / `年`,
`首页` / `>` / `政务公开`. Each rule below names one kind of cut; a line joins the one
before it only where a rule says the cut fell inside a token. Text is never dropped:
the pieces are concatenated (separators with a space either side), keeping the first
piece's line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from builder.normalize.decode import Line

OPENING = "〔﹝［[（(《“<〈"
CLOSING = "〕﹞］]）)》”>〉，。、；：！？,.;:!?"
# A breadcrumb or bar separator standing alone: 首页 / > / 政务公开, 小 / | / 中.
SEPARATOR = re.compile(r"^[>＞»›|｜/]$")
# A breadcrumb step printed on its own line after its separator: `/ 决策公开`; or a line
# that a separator ends: `首页 >`.
LEADING_SEPARATOR = re.compile(r"^[>＞»›/]\s")
TRAILING_SEPARATOR = re.compile(r"\s[>＞»›|｜/]$")
DIGITS = re.compile(r"^\d{1,4}$")
UNIT = re.compile(r"^[号年月日]")
MAX_FRAGMENT = 20  # pieces of a token are short; a longer line is text of its own
MAX_JOINED = 300


@dataclass(frozen=True)
class Cut:
    """Where a line and the next were cut apart inside one token."""

    name: str
    test: Callable[[str, str, str], bool]  # (line so far, next line, the line after it)


def _unclosed(text: str) -> bool:
    return len(text) <= MAX_FRAGMENT and text.count("（") + text.count("(") > text.count("）") + text.count(")")


# Pieces cut at a separator are joined with a space, so the bar still reads as one.
SEPARATOR_CUTS: tuple[Cut, ...] = (
    Cut("separator alone", lambda prev, nxt, _: bool(SEPARATOR.match(nxt) or SEPARATOR.match(prev)
                                                      or TRAILING_SEPARATOR.search(prev))),
    Cut("separator leads", lambda prev, nxt, _: bool(LEADING_SEPARATOR.match(nxt))),
)
CUTS: tuple[Cut, ...] = (
    *SEPARATOR_CUTS,
    Cut("opening bracket ends", lambda prev, nxt, _: prev[-1] in OPENING),
    Cut("lone opening bracket", lambda prev, nxt, _: len(nxt) == 1 and nxt in OPENING),
    Cut("closing mark starts", lambda prev, nxt, _: nxt[0] in CLOSING and len(nxt) <= MAX_FRAGMENT),
    Cut("unit after number", lambda prev, nxt, _: prev[-1].isdigit() and bool(UNIT.match(nxt))
        and len(nxt) <= MAX_FRAGMENT),
    Cut("number after unit", lambda prev, nxt, _: prev[-1] in "年月〕﹞]" and bool(DIGITS.match(nxt))),
    Cut("year cut in two", lambda prev, nxt, after: bool(DIGITS.match(prev) and DIGITS.match(nxt))
        and len(prev + nxt) == 4 and after.startswith("年")),
    Cut("bracket left open", lambda prev, nxt, _: _unclosed(prev) and len(nxt) <= MAX_FRAGMENT
        and not re.search("[:：]", nxt)),
)


def cut_inside(prev: str, nxt: str, after: str) -> str | None:
    """The name of the rule by which `nxt` continues `prev`, or None."""
    if len(prev) + len(nxt) > MAX_JOINED:
        return None
    return next((cut.name for cut in CUTS if cut.test(prev, nxt, after)), None)


def _glue(prev: str, nxt: str) -> str:
    spaced = any(cut.test(prev, nxt, "") for cut in SEPARATOR_CUTS)
    return f"{prev} {nxt}" if spaced else prev + nxt


def rejoin(lines: list[Line]) -> list[Line]:
    """The lines with every piece a scrape cut off a token joined back to the line before
    it, the pieces kept for the report."""
    joined: list[Line] = []
    for index, line in enumerate(lines):
        after = lines[index + 1].text if index + 1 < len(lines) else ""
        if joined and cut_inside(joined[-1].text, line.text, after):
            last = joined[-1]
            joined[-1] = replace(last, text=_glue(last.text, line.text), pieces=(*(last.pieces or (last,)), line))
        else:
            joined.append(line)
    return joined


def provenance(line: Line) -> list[Line]:
    """The raw lines behind `line`, each with the part of its text it gave: a line put
    together from pieces is reported piece by piece, so the report names every raw line."""
    if not line.pieces:
        return [line]
    whole, spans = "", []
    for piece in line.pieces:
        whole = _glue(whole, piece.text) if whole else piece.text
        spans.append((piece, len(whole) - len(piece.text), len(whole)))
    start = whole.find(line.text)
    if start < 0:
        return [replace(line, pieces=())]
    end = start + len(line.text)
    parts = [replace(piece, text=whole[max(start, s):min(end, e)]) for piece, s, e in spans]
    return [part for part in parts if part.text.strip()]
