"""The skeleton of a notice (GB/T 9704 order): title, 主送机关, 正文, 署名, 成文日期, 附注,
then the printed document and the attachments' own text."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from builder.normalize.blocks import Block, classify
from builder.normalize.decode import Line
from builder.normalize.patterns import (
    ATTACHMENT_LABEL,
    DOC_NO,
    HEADINGS,
    LINE_END_MARKS,
    NOTE,
    SENTENCE_MARK,
    is_date_line,
    is_marker_line,
    is_title_like,
    looks_like_title,
)

MAX_TITLE_LINES = 4
MAX_SIGNERS = 6


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
        return classify(self.lines)


@dataclass
class Skeleton:
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
        return classify(self.body)


def _is_broken(text: str) -> bool:
    """A prose line that stops mid-sentence: the scrape wrapped it."""
    if text[-1] in LINE_END_MARKS:
        return False
    if any(pattern.match(text) for _, pattern in HEADINGS) and not SENTENCE_MARK.search(text):
        return False  # a heading
    if text[-1] in ",，、":
        return len(text) >= 10
    return len(text) >= 60 or (len(text) >= 15 and bool(SENTENCE_MARK.search(text)))


def join_broken_lines(lines: list[Line]) -> list[Line]:
    joined: list[Line] = []
    for line in lines:
        if joined and _is_broken(joined[-1].text) and not is_marker_line(line.text):
            joined[-1] = replace(joined[-1], text=joined[-1].text + line.text)
        else:
            joined.append(line)
    return joined


def _is_signer(text: str) -> bool:
    return (len(text) <= 40 and is_title_like(text) and not any(c in text for c in ",，、《"))


def _find_signature(lines: list[Line]) -> tuple[int, int] | None:
    """(first signer index, date index) of the first 署名 + 成文日期 block."""
    for index, line in enumerate(lines):
        if not is_date_line(line.text):
            continue
        start = index
        while start > 0 and index - start < MAX_SIGNERS and _is_signer(lines[start - 1].text):
            start -= 1
        after = lines[index + 1].text if index + 1 < len(lines) else None
        closes = after is None or NOTE.match(after) or ATTACHMENT_LABEL.match(after)
        if start < index or closes:
            return start, index
    return None


def _label_number(text: str) -> int | None:
    number = ATTACHMENT_LABEL.match(text)["n"]  # type: ignore[index]
    if number is None:
        return None
    if number.isdigit():
        return int(number)
    return "一二三四五六七八九十".index(number) + 1 if len(number) == 1 else None


def _title_lines(lines: list[Line], need_title_words: bool) -> int:
    """How many leading lines form a title (wrapped titles span several)."""
    count = 0
    while count < min(MAX_TITLE_LINES, len(lines) - 1) and is_title_like(lines[count].text):
        count += 1
    if need_title_words and count and not looks_like_title("".join(li.text for li in lines[:count])):
        return 0
    return count


def _sections(lines: list[Line]) -> list[Section]:
    sections: list[Section] = []
    for line in lines:
        if ATTACHMENT_LABEL.match(line.text):
            sections.append(Section("attachment", line, _label_number(line.text), [], []))
        elif not sections:
            sections.append(Section("document", None, None, [], [line]))
        else:
            sections[-1].lines.append(line)
    for section in sections:
        count = _title_lines(section.lines, need_title_words=False)
        section.title, section.lines = section.lines[:count], section.lines[count:]
    return sections


def parse(lines: list[Line]) -> Skeleton:
    lines = join_broken_lines(lines)
    skeleton = Skeleton()
    head = _title_lines(lines, need_title_words=True)
    skeleton.title, rest = lines[:head], lines[head:]
    if rest and DOC_NO.match(rest[0].text):
        skeleton.doc_no, rest = rest[0], rest[1:]
    first = rest[0].text if rest else ""
    if first.endswith((":", "：")) and len(first) <= 150 and not SENTENCE_MARK.search(first) \
            and not is_marker_line(first):
        skeleton.addressee, rest = rest[0], rest[1:]

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

