"""The head of a notice: the page's title line, the portal's heading, the printed title.

A scraped page often prints its title three times: in the browser title (`关于…的通知_某某局`),
in the portal's heading above the text, and in the document itself, over its 发文字号 or
主送机关. The printed title is anchored: it stands right above the 发文字号 or the 主送机关.
What stands above it is the heading (or the 发文机关标志 of a joint document), and the
first line, when it is shaped like a browser title or holds a title printed below it, is the
page's title line. Each is kept as evidence; the assembler picks the title from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from builder.normalize.decode import Line
from builder.normalize.patterns import (
    DOC_NO,
    is_addressee,
    is_date_line,
    is_title_like,
    looks_like_title,
    title_ending,
)

MAX_TITLE_LINES = 4
MAX_HEAD_LINES = 25  # the title block stands near the top; further down is the text
MIN_ECHO = 6  # a shorter line may be in the page title by chance
MIN_ECHO_SHARE = 0.5  # the echo is the title, not a name the title mentions
# A browser title: title and site run together, 关于…的通知_某某局, 【…】-某某委, 某某委 - 关于…
PAGE_TITLE_SHAPE = re.compile(r"_|｜|\s[-－—|]\s|】\s*[-－]")
# A 发文机关 standing alone: the 发文机关标志 over a title, or a signer.
ORG = re.compile(r"[\u4e00-\u9fff（）()]{2,40}?(?:人民政府|政府|办公厅|办公室|委员会|管委会|局|厅|委|办|院|部|署|会"
                 r"|中心|公司|司|处|所|站|组)")
ORGS = re.compile(rf"{ORG.pattern}(?:[ \u3000]+{ORG.pattern})*")
# A 发文字号 the heading carries in brackets: 关于…的复函(发改办体改〔2026〕275号)
BRACKETED_DOC_NO = re.compile(
    r"\s*[（(](?P<doc_no>[^（()）]{2,30}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,5}\s*号)[）)]$")


@dataclass
class Head:
    """The head of a notice, each part kept as evidence for the assembler to pick the title
    from: the browser title, the portal's heading, the printed title, a 发文字号 over it,
    and the lines after."""

    page_title: Line | None = None
    heading: list[Line] = field(default_factory=list)  # the portal's heading, or a 发文机关标志
    title: list[Line] = field(default_factory=list)  # the title as the document prints it
    doc_no: Line | None = None  # a 发文字号 printed over the title, as a 红头 does
    rest: list[Line] = field(default_factory=list)


def squeeze(text: str) -> str:
    """`text` without white space, for comparing titles that wrap or space differently."""
    return re.sub(r"\s+", "", text)


def without_doc_no(text: str) -> tuple[str, str | None]:
    """A heading less the 发文字号 it carries in brackets, and that 发文字号."""
    match = BRACKETED_DOC_NO.search(text)
    return (text[: match.start()], match["doc_no"]) if match else (text, None)


def _is_page_title(first: Line, head: list[Line]) -> bool:
    if PAGE_TITLE_SHAPE.search(first.text):
        return True
    whole = squeeze(first.text)
    for line in head:
        echo = squeeze(line.text)
        if len(echo) >= max(MIN_ECHO, len(whole) * MIN_ECHO_SHARE) and echo in whole and looks_like_title(echo):
            return True
        if not is_title_like(line.text) and not is_date_line(line.text):
            return False  # the text has begun
    return False


def _anchors(lines: list[Line]) -> list[int]:
    """Where a printed title may end: above a 发文字号 line or the 主送机关, within the head."""
    found = []
    for index, line in enumerate(lines[:MAX_HEAD_LINES]):
        if DOC_NO.match(line.text) or is_addressee(line.text):
            found.append(index)
        if not is_title_like(line.text) and not DOC_NO.match(line.text) and not is_date_line(line.text):
            break  # the text has begun
    return found


def _title_above(lines: list[Line], anchor: int) -> int:
    """Where the title that ends above lines[anchor] begins (== anchor when there is none)."""
    start = anchor
    while start > 0 and anchor - start < MAX_TITLE_LINES:
        text = lines[start - 1].text
        if not is_title_like(text) or DOC_NO.match(text) or is_date_line(text):
            break
        if start < anchor and title_ending(without_doc_no(text)[0]):
            break  # a whole title above this one: the heading
        if start < anchor and ORGS.fullmatch(text) and (
                re.search(r"[ \u3000]", text) or (start > 1 and ORGS.fullmatch(lines[start - 2].text))):
            break  # the 发文机关标志 of a joint document, not part of its title
        start -= 1
    if start == anchor or not looks_like_title("".join(line.text for line in lines[start:anchor])):
        return anchor
    return start


def _leading_title(lines: list[Line]) -> int:
    """How many leading lines form a title where no anchor marks one (a wrapped title spans
    several; a second whole title is not part of the first)."""
    count = 0
    while count < min(MAX_TITLE_LINES, len(lines) - 1) and is_title_like(lines[count].text) \
            and not (count and title_ending(without_doc_no(lines[count - 1].text)[0])):
        count += 1
    return count if count and looks_like_title("".join(line.text for line in lines[:count])) else 0


def read_head(lines: list[Line]) -> Head:
    """The head of a notice's lines: the page's title line, then the title anchored over a
    发文字号 or the 主送机关 (the last such anchor), else the leading lines that read as a
    title."""
    head = Head()
    if len(lines) > 1 and is_title_like(lines[0].text) and _is_page_title(lines[0], lines[1:MAX_HEAD_LINES]):
        head.page_title, lines = lines[0], lines[1:]
    for anchor in reversed(_anchors(lines)):  # the last: a 红头 prints its 发文字号 over the title
        if DOC_NO.match(lines[anchor].text) is None and anchor and DOC_NO.match(lines[anchor - 1].text):
            anchor -= 1  # 主送 under a 发文字号 under the title
        start = _title_above(lines, anchor)
        if start < anchor:
            head.heading, head.title, head.rest = lines[:start], lines[start:anchor], lines[anchor:]
            head.doc_no = next((line for line in reversed(head.heading) if DOC_NO.match(line.text)), None)
            head.heading = [line for line in head.heading if line is not head.doc_no]
            return head
    count = _leading_title(lines)
    head.title, head.rest = lines[:count], lines[count:]
    return head
