"""Lines a scrape ran together, cut apart again.

Search APIs and some crawlers hand over a notice as one line: title, 发文字号, 主送机关,
body, 附件说明, signature and date run together (`…的函渝府办函〔2021〕52号市教委：你委…`),
at most with spaces where the page broke its lines. Such a line is cut where a rule below
sees the end of one document element and the start of the next; nothing inside brackets or
quotes is ever cut, and no character is dropped. Only a line that holds most of its file is
treated so: a long paragraph of a notice whose lines survived is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from builder.normalize.decode import Line
from builder.normalize.patterns import DOC_TYPES, FILE_TYPES, TITLE_ENDINGS, is_addressee
from builder.normalize.title import ORG
from builder.schema import LABEL

MIN_RUN_TOGETHER = 300  # characters; shorter lines are lines
RUN_TOGETHER_SHARE = 0.5  # of the file's characters held by the one line

OPENERS, CLOSERS = "（(《“〔【[<‘", "）)》”〕】]>’"
DATE = r"(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
# A 机关代字 holds no 的: 的函渝府办函〔2021〕52号 is a title's end, then the 发文字号.
DOC_NO_TOKEN = r"[^\s，。,：:（(《“”的]{1,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,5}\s*号"
ENDINGS = "|".join(sorted(TITLE_ENDINGS, key=len, reverse=True))
FILE_ENDINGS = "|".join(re.escape(ending) for ending in sorted(FILE_TYPES, key=len, reverse=True))


@dataclass(frozen=True)
class Boundary:
    """A named place between two document elements: a cut falls at each match's `at` group
    (or at its start and end, where the rule cuts around what it matched)."""

    name: str
    pattern: re.Pattern[str]
    around: bool = False  # cut before and after the `at` group instead of where it is
    where: Callable[[str, re.Match[str]], bool] = lambda text, match: True


# A 主送机关 names bodies: it ends with one (各有关单位：, 市教委：, 国家电网有限公司：).
ADDRESSEE_END = re.compile(rf"(?:{ORG.pattern}|单位|部门|机构|企业|学校|社区|人员|组织|个人)[：:]$")


def _addressee_before(text: str, match: re.Match[str]) -> bool:
    head = text[: match.end()].strip()
    return (is_addressee(head) and bool(ADDRESSEE_END.search(head))) or head.endswith(("如下：", "如下:"))


# Cut first, in the whole line: where one element ends and the next begins.
ELEMENTS: tuple[Boundary, ...] = (
    # Not after a label's colon (时间： 2015-09-17), nor between a date and its time of day.
    Boundary("space between words", re.compile(r"(?<=[^\s:：])(?P<at>[ \u3000]+)(?=\S)"),
             where=lambda text, match: not (text[match.start() - 1].isdigit() and text[match.end()].isdigit())),
    Boundary("sentence end", re.compile(r"[。！？!?](?P<at>)(?=[^。！？!?”’）)》\s])")),
    Boundary("list item after a clause", re.compile(r"[；;](?P<at>)(?=[（(]?\d{1,2}[）).．、])")),
    Boundary("item of a list run into the one before", re.compile(
        r"[\u4e00-\u9fff）)》](?P<at>)(?=\d{1,2}\s*[．.、][\u4e00-\u9fff《“])")),
    # Under the title, or under the 发文机关标志 of a 红头 (中国电力企业联合会文件中电联统计〔2021〕18号)
    Boundary(f"{LABEL['doc_no']} under the title", re.compile(rf"(?:^|(?<=\s)|{ENDINGS}|文件)(?P<at>{DOC_NO_TOKEN})"),
             around=True),
    Boundary("date under the signature", re.compile(rf"(?P<at>{DATE})(?=\s|[（(]\s*此件|附\s*件|$)"), around=True),
    Boundary("date after the signer", re.compile(rf"(?<=[\s会局厅委办府室院部司心所站组])(?P<at>{DATE})"), around=True),
    Boundary("附注", re.compile(r"(?P<at>[（(]\s*此件[^（()）]{2,12}[）)])"), around=True),
    Boundary("attachment label", re.compile(r"(?<=[）)。])(?P<at>)附\s*件\s*\d{0,2}")),
    Boundary("file name end", re.compile(rf"(?:{FILE_ENDINGS})(?P<at>)(?=[\u4e00-\u9fff])", re.IGNORECASE)),
    Boundary("signer after an attachment's title", re.compile(rf"(?:{ENDINGS})(?P<at>){ORG.pattern}(?={DATE})")),
)
# A title's start (其发文机关 and 关于), and the longest title a 主送机关 is cut from.
TITLE_START = re.compile(r"[^，。：:；\s]{0,30}关于")
MAX_TITLE = 150
# Then in each element: a title or 主送机关 run into the text after it (before a colon, both).
COLON = re.compile("[：:]")
OPENINGS: tuple[Boundary, ...] = (
    Boundary(f"{LABEL['addressee']} after the title",
             re.compile(rf"的(?:{'|'.join(DOC_TYPES)})(?P<at>)(?=[^。：:；]{{2,150}}[：:])"),
             where=lambda text, match: bool(TITLE_START.match(text)) and match.start() <= MAX_TITLE),
    Boundary("colon after the addressee", re.compile(r"(?<=[\u4e00-\u9fff）)])[：:](?P<at>[ \u3000]*)(?=\S)"),
             where=_addressee_before),
)


def _depths(text: str) -> list[int]:
    """How deep inside brackets or quotes each position of `text` is."""
    depth, depths = 0, []
    for char in text:
        if char in CLOSERS:
            depth = max(0, depth - 1)
        depths.append(depth)
        if char in OPENERS:
            depth += 1
    return depths


def _cuts(text: str, boundaries: tuple[Boundary, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) of each span to cut out as a boundary (empty, or the spaces there)."""
    for boundary in boundaries:
        for match in boundary.pattern.finditer(text):
            if not boundary.where(text, match):
                continue
            if boundary.around:
                yield match.start("at"), match.start("at")
                yield match.end("at"), match.end("at")
            else:
                yield match.start("at"), match.end("at")


def _cut(text: str, boundaries: tuple[Boundary, ...]) -> list[tuple[int, str]]:
    """The pieces of `text` between boundaries, each with where it starts."""
    found = {cut for cut in _cuts(text, boundaries) if 0 < cut[0] < len(text)}
    if not found:
        return [(0, text)]
    depths = _depths(text)
    cuts = sorted(cut for cut in found if depths[cut[0]] == 0)
    parts, start = [], 0
    for begin, end in [*cuts, (len(text), len(text))]:
        if begin >= start:
            part = text[start:begin]
            if stripped := part.strip(" \u3000"):
                parts.append((start + len(part) - len(part.lstrip(" \u3000")), stripped))
            start = max(end, begin)
    return parts


def split_run_together(line: Line) -> list[Line]:
    """A run-together line cut into its document elements: first where ELEMENTS see one end
    and the next begin, then, in an element that holds a colon, where a title or 主送机关
    runs into its text."""
    return [replace(line, text=piece, column=line.column + at + offset)
            for at, element in _cut(line.text, ELEMENTS)
            for offset, piece in (_cut(element, OPENINGS) if COLON.search(element) else [(0, element)])]


def split_lines(lines: list[Line]) -> list[Line]:
    """Each line that holds most of its file's text, cut into its elements."""
    total = sum(len(line.text) for line in lines)
    return [part for line in lines for part in (
        split_run_together(line) if len(line.text) >= max(MIN_RUN_TOGETHER, total * RUN_TOGETHER_SHARE) else [line])]
