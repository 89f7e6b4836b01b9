"""Body lines → blocks: headings, numbered paragraphs, prose, and 附件说明 lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.normalize.decode import Line
from builder.normalize.patterns import (
    ATTACHMENT_LIST,
    ATTACHMENT_TITLED,
    HEADINGS,
    ITEM,
    NEXT_ITEM,
    SENTENCE_MARK,
    TITLE_SUFFIX,
    is_title_like,
    title_ending,
)
from builder.numerals import cn_number

MAX_HEADING_LENGTH = 60
LIST_ITEM_ENDS = "；;，,、"
MAX_WRAPPED_TITLE = 4
OUTLINE_KINDS = ("chapter", "section")  # counted only where they stand alone: 第三章 starts sentences too


@dataclass(frozen=True)
class Heading:
    """A numbered line that stands alone as a heading, of one of GB/T 9704's outline kinds
    (第一章 … （一）): the body's outline, rendered as Markdown headings."""

    kind: str  # a kind of HEADINGS: "chapter" (第一章) … "level2" (（一）)
    line: Line


@dataclass(frozen=True)
class Paragraph:
    """A line of the body kept as a paragraph: prose, a numbered paragraph (1. or （1）) or
    an article (第一条)."""

    line: Line


@dataclass(frozen=True)
class Item:
    """One attachment a 附件说明 lists: its number and title, by which the attachments' own
    texts are matched to it, and the text as written."""

    number: int | None
    title: str
    line: Line
    text: str  # as written: 1.名单, 附件2：名单


@dataclass(frozen=True)
class AttachmentList:
    """A 附件说明, the notice's list of its attachments: its label as written and its items."""

    head: str  # 附件： as written; empty where each item carries its own label (附件1：…)
    items: tuple[Item, ...]


Block = Heading | Paragraph | AttachmentList


def cn_value(numeral: str) -> int:
    """一 → 1, 十二 → 12, 12 → 12 (附件 labels are numbered either way); 0 for no numeral."""
    return cn_number(numeral) or 0


def _clean_title(text: str) -> str:
    text = text.strip(" \u3000;；,，。.")
    if text.startswith("《") and text.endswith("》") and text.count("《") == 1:
        text = text[1:-1]
    return text


def _item(text: str, line: Line) -> Item:
    match = ITEM.match(text) or ATTACHMENT_TITLED.match(text)
    if match:
        title = text[match.end():] if match.re is ITEM else match["title"]
        return Item(cn_value(match["n"]), _clean_title(title), line, text)
    return Item(None, _clean_title(text), line, text)


def _items(text: str, line: Line, expected: int) -> list[Item] | None:
    """The items one line of a 附件说明 holds, numbered from `expected`; None when it holds
    none in sequence."""
    parts = NEXT_ITEM.split(text)
    items = [_item(part, line) for part in parts]
    numbers = [item.number for item in items]
    if len(items) > 1 and numbers != list(range(expected, expected + len(items))):
        items = [_item(text, line)]  # 1.名单 2.报名表 in sequence, or one item
    return items if items[0].number == expected else None


def _wrapped_title(lines: list[Line], start: int) -> int:
    """How many lines from `start` hold one unnumbered attachment title, wrapped as a page
    printed it under a bare 附件： (…行动方案 / （征求意见稿）)."""
    count = 0
    while start + count < len(lines) and count < MAX_WRAPPED_TITLE:
        text = lines[start + count].text
        if ITEM.match(text) or not (is_title_like(text) or (count and TITLE_SUFFIX.fullmatch(text))):
            break
        count += 1
    return count


def _attachment_list(lines: list[Line], start: int) -> tuple[AttachmentList, int]:
    """The 附件说明 at lines[start] (附件：… or 附件1：…) and the index after its last item."""
    first = lines[start]
    listed = ATTACHMENT_LIST.match(first.text)
    if listed:
        rest, head, index = listed["rest"], first.text[: listed.start("rest")].rstrip(), start + 1
        items = (_items(rest, first, 1) or [_item(rest, first)]) if rest else []
    else:
        head, items, index = "", [], start
    if listed and (not items or (items[0].number is None and not title_ending(items[0].title))) \
            and (wrapped := _wrapped_title(lines, index)):
        # One unnumbered title, under a bare 附件： or run over from its line
        first = items[0].line if items else lines[index]
        text = "".join([*(item.text for item in items), *(line.text for line in lines[index:index + wrapped])])
        return AttachmentList(head, (Item(None, _clean_title(text), first, text),)), index + wrapped
    numbered = not items or items[0].number is not None
    while numbered and index < len(lines):
        expected = (items[-1].number or 0) + 1 if items else 1
        found = _items(lines[index].text, lines[index], expected)
        if found is None or (not head and not ATTACHMENT_TITLED.match(lines[index].text)):
            break
        items += found
        index += 1
    return AttachmentList(head, tuple(items)), index


@dataclass(frozen=True)
class Numbered:
    """What a numbered line may be, before headings are decided: its kind, the group of
    sections under one heading, and whether it stands alone."""

    kind: str  # "chapter" (第一章), "section" (第一节), "level1" (一、) or "level2" (（一）)
    group: int  # the sections under one outer heading share it
    standalone: bool  # short, no sentence inside: a heading line, not a run-in paragraph


def _standalone(text: str) -> bool:
    """Short, with no sentence inside and not ending as an item of a list does (；，)."""
    return len(text) <= MAX_HEADING_LENGTH and not SENTENCE_MARK.search(text[:-1]) and text[-1] not in LIST_ITEM_ENDS


def _numbered(text: str, counters: dict[str, int]) -> Numbered | None:
    """The kind of a numbered line, when its number follows the one before it. A heading
    restarts the numbering of the kinds inside it (第二章 starts again at 一、)."""
    for position, (kind, pattern) in enumerate(HEADINGS):
        match = pattern.match(text)
        if not match:
            continue
        standalone = _standalone(text)
        if kind in OUTLINE_KINDS and (not standalone or SENTENCE_MARK.search(text[-1])):
            return None  # 第三章规定的…。 is a sentence
        number = cn_value(match["n"])
        in_sequence = number == counters.get(kind, 0) + 1
        counters[kind] = number
        if kind != "level2":
            counters["groups"] = counters.get("groups", 0) + 1
            for inner, _ in HEADINGS[position + 1:]:
                counters[inner] = 0
        if not in_sequence:
            return None
        return Numbered(kind, counters.get("groups", 0) if kind == "level2" else 0, standalone)
    return None


def _starts_titled_list(text: str) -> bool:
    titled = ATTACHMENT_TITLED.match(text)
    return bool(titled) and titled["n"] in ("1", "一")  # type: ignore[index]


def classify(lines: list[Line]) -> list[Block]:
    """Blocks of the body. A numbered line that stands alone is a heading; a （一） line is
    one only when all the （一）（二）… under its heading stand alone: GB/T 9704 documents
    often run sections into their text, and a one-sentence section among them is no
    heading. 第一章, 第一节 and 一、 are the outline and each is judged alone, but for 一、
    lines that end as sentences do (see `_heads_text`)."""
    blocks: list[Block] = []
    numbered: dict[int, Numbered] = {}  # block index → what its line is
    counters: dict[str, int] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        if ATTACHMENT_LIST.match(line.text) or _starts_titled_list(line.text):
            block, index = _attachment_list(lines, index)
            blocks.append(block)
            continue
        found = _numbered(line.text, counters)
        if found:
            numbered[len(blocks)] = found
        blocks.append(Paragraph(line))
        index += 1
    run_in = {n.group for n in numbered.values() if n.kind == "level2" and not n.standalone}
    closed = [at for at, n in numbered.items() if n.kind == "level1" and n.standalone
              and SENTENCE_MARK.search(blocks[at].line.text[-1])]  # type: ignore[union-attr]
    closed_are_headings = all(_heads_text(at, blocks, numbered) for at in closed)
    for at, found in numbered.items():
        if found.standalone and not (found.kind == "level2" and found.group in run_in) \
                and (closed_are_headings or at not in closed):
            blocks[at] = Heading(found.kind, blocks[at].line)  # type: ignore[union-attr]
    return blocks


def _heads_text(at: int, blocks: list[Block], numbered: dict[int, Numbered]) -> bool:
    """Whether the 一、 line at `at`, which ends as a sentence does (一、提高认识。), heads
    text of its own: something before the next 一、 and no clause inside. Where one such
    line does not, none is a heading: 一、同意设立…，…。 二、请…。 are numbered paragraphs."""
    following = numbered.get(at + 1)
    line = blocks[at].line  # type: ignore[union-attr]
    return "，" not in line.text and at + 1 < len(blocks) and (following is None or following.kind == "level2")


def heading_levels(blocks: list[Block], base: int) -> dict[str, int]:
    """Markdown levels for the heading kinds present, so no level is ever skipped."""
    present = [kind for kind, _ in HEADINGS if any(
        isinstance(b, Heading) and b.kind == kind for b in blocks)]
    return {kind: base + rank for rank, kind in enumerate(present)}


def has_text(text: str) -> bool:
    """Whether `text` holds anything but white space."""
    return bool(re.sub(r"\s", "", text))
