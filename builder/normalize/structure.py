"""The skeleton of a notice (GB/T 9704 order): title, 主送机关, 正文, 署名, 成文日期, 附注,
then the printed document and the attachments' own text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from builder.normalize.blocks import Block, classify, cn_value
from builder.normalize.decode import Line
from builder.normalize.patterns import (
    ATTACHMENT_LABEL,
    ATTACHMENT_LIST,
    ATTACHMENT_TITLED,
    DOC_NO,
    HEADINGS,
    LINE_END_MARKS,
    NOTE,
    SENTENCE_MARK,
    is_addressee,
    is_date_line,
    is_marker_line,
    is_title_like,
    title_ending,
)
from builder.normalize.title import read_head, without_doc_no

MAX_TITLE_LINES = 4
# A signer and the date on one line: the date is its last words.
SIGNED_LINE = re.compile(r"(?P<signer>\S.{1,40}?)\s+(?P<date>(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年.{3,12}日)")
MAX_SIGNERS = 6
# The words that close a notice's text: the date under them is its 成文日期, signed or not.
CLOSING_FORMULA = re.compile(r"(?:特此(?:通知|公告|通告|批复|函告|函复|决定|报告|公示)|此复|专此函告)[。.！!]?")


@dataclass
class Section:
    """An attachment's text (under `附件N`) or the document a cover letter prints."""

    kind: str  # "attachment" or "document"
    label: Line | None
    number: int | None
    title: list[Line]
    lines: list[Line]

    @cached_property
    def blocks(self) -> list[Block]:
        """The section's lines as blocks, classified once."""
        return classify(self.lines)


@dataclass
class Skeleton:
    """A notice's lines laid out in GB/T 9704's order, each element kept as its raw lines,
    for the assembler to read the fields from and the emitter to mark up."""

    page_title: Line | None = None  # the browser title a scrape starts with (normalize.title)
    heading: list[Line] = field(default_factory=list)  # the portal's heading over the document
    title: list[Line] = field(default_factory=list)
    doc_no: Line | None = None  # an unlabelled 发文字号 line under the title
    addressee: Line | None = None
    body: list[Line] = field(default_factory=list)
    signers: list[Line] = field(default_factory=list)
    date: Line | None = None
    note: Line | None = None
    sections: list[Section] = field(default_factory=list)

    @cached_property
    def blocks(self) -> list[Block]:
        """The 正文's lines as blocks, classified once."""
        return classify(self.body)


def _is_broken(text: str) -> bool:
    """A prose line that stops mid-sentence: the scrape wrapped it."""
    if text[-1] in LINE_END_MARKS:
        return False
    if any(pattern.match(text) for _, pattern in HEADINGS) and not SENTENCE_MARK.search(text):
        return False  # a heading
    if is_title_like(text) and title_ending(text):
        return False  # a whole title
    if text[-1] in ",，、":
        return len(text) >= 10
    return len(text) >= 60 or (len(text) >= 15 and bool(SENTENCE_MARK.search(text)))


def _whole_title(text: str) -> bool:
    """A title on a line of its own (关于…的函（闽监能函〔2018〕148号）): it continues nothing."""
    return is_title_like(text) and "关于" in text and bool(title_ending(without_doc_no(text)[0]))


def join_broken_lines(lines: list[Line]) -> list[Line]:
    """The lines with each prose line a scrape wrapped mid-sentence joined to the next,
    unless the next says what it is (a number, a date, a label, a whole title)."""
    joined: list[Line] = []
    for line in lines:
        if joined and _is_broken(joined[-1].text) and not is_marker_line(line.text) and not _whole_title(line.text):
            joined[-1] = replace(joined[-1], text=joined[-1].text + line.text)
        else:
            joined.append(line)
    return joined


def _is_signer(text: str) -> bool:
    return (len(text) <= 40 and is_title_like(text) and not any(c in text for c in ",，、《:：")
            and not re.search(r"\d{3}", text))


def _closes(lines: list[Line], index: int) -> bool:
    """Whether a signature ending at lines[index] would end the notice: the 附注, the
    附件说明 (some portals print it under the date), an attachment's text or nothing follows."""
    after = lines[index + 1] if index + 1 < len(lines) else None
    return after is None or bool(NOTE.match(after.text) or ATTACHMENT_LIST.match(after.text)) \
        or _opens_attachment(after) is not None


def _split_signed_line(lines: list[Line]) -> list[Line]:
    """`示例局 2024年6月20日` on one line where a signature ends the notice: the signer's
    line and the date's, as the standard sets them."""
    for index, line in enumerate(lines):
        match = SIGNED_LINE.fullmatch(line.text)
        if match and is_date_line(match["date"]) and _is_signer(match["signer"]) and _closes(lines, index):
            return [*lines[:index], replace(line, text=match["signer"]), replace(line, text=match["date"]),
                    *lines[index + 1:]]
    return lines


def _find_signature(lines: list[Line]) -> tuple[int, int] | None:
    """(first signer index, date index) of the first 署名 + 成文日期 block."""
    for index, line in enumerate(lines):
        if not is_date_line(line.text):
            continue
        start = index
        while start > 0 and index - start < MAX_SIGNERS and _is_signer(lines[start - 1].text):
            start -= 1
        if start < index or _closes(lines, index) or (index and CLOSING_FORMULA.fullmatch(lines[index - 1].text)):
            return start, index
    return None


def _opens_attachment(line: Line) -> Section | None:
    """The attachment a label line opens: 附件2, or 附件2：名单 with its title."""
    bare = ATTACHMENT_LABEL.match(line.text)
    if bare:
        return Section("attachment", line, cn_value(bare["n"] or "") or None, [], [])
    titled = ATTACHMENT_TITLED.match(line.text)
    if titled and is_title_like(titled["title"]):
        return Section("attachment", replace(line, text=titled["label"].rstrip()), cn_value(titled["n"]) or None,
                       [replace(line, text=titled["title"])], [])
    return None


def _title_lines(lines: list[Line]) -> int:
    """How many leading lines of an attachment form its title (wrapped titles span several)."""
    count = 0
    while count < min(MAX_TITLE_LINES, len(lines) - 1) and is_title_like(lines[count].text):
        count += 1
    return count


def _sections(lines: list[Line]) -> list[Section]:
    sections: list[Section] = []
    for line in lines:
        opened = _opens_attachment(line)
        if opened:
            sections.append(opened)
        elif not sections:
            sections.append(Section("document", None, None, [], [line]))
        else:
            sections[-1].lines.append(line)
    for section in sections:
        if not section.title:  # 附件2：名单 gave its title
            count = _title_lines(section.lines)
            section.title, section.lines = section.lines[:count], section.lines[count:]
    return sections


def parse(lines: list[Line]) -> Skeleton:
    """The skeleton of a notice's lines (those left after its metadata): the head, 主送机关,
    正文, 署名 and 成文日期, 附注, then the document it prints and its attachments."""
    head = read_head(join_broken_lines(lines))
    skeleton = Skeleton(page_title=head.page_title, heading=head.heading, title=head.title, doc_no=head.doc_no)
    rest = head.rest
    if rest and DOC_NO.match(rest[0].text) and not skeleton.doc_no:
        skeleton.doc_no, rest = rest[0], rest[1:]
    if rest and is_addressee(rest[0].text):
        skeleton.addressee, rest = rest[0], rest[1:]

    rest = _split_signed_line(rest)
    signature = _find_signature(rest)
    if signature:
        start, date_index = signature
        skeleton.body = rest[:start]
        skeleton.signers = rest[start:date_index]
        skeleton.date = rest[date_index]
        tail = rest[date_index + 1:]
        if tail and NOTE.match(tail[0].text):
            skeleton.note, tail = tail[0], tail[1:]
    else:
        cut = next((i for i, li in enumerate(rest) if ATTACHMENT_LABEL.match(li.text)), len(rest))
        skeleton.body, tail = rest[:cut], rest[cut:]
    skeleton.sections = _sections(tail)
    return skeleton

