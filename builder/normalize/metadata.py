"""Labelled metadata in every layout portals use.

Layouts: `• L:V` bullets, `- L: V` list items, label and value on separate lines, several
pairs on one line, labels padded with spaces or U+3000 between their characters, `:` or
`：` or no colon at all, and empty values. A new portal's label is a synonym of its field in
builder/schema.py; until it is one, a label beside known ones in the metadata block is kept
under `extra` as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from builder.normalize.decode import Line
from builder.normalize.patterns import MAX_TITLE_LINE, is_marker_line, looks_like_title
from builder.schema import BY_KEY, FIELDS, MAX_PROSE

# front-matter key → labels portals use for it, and what a value under them looks like:
# the fields' `synonyms` and `valid` (builder/schema.py).
LABELS: dict[str, tuple[str, ...]] = {spec.key: spec.synonyms for spec in FIELDS if spec.synonyms}
VALIDATORS: dict[str, Callable[[str], bool]] = {spec.key: spec.valid for spec in FIELDS if spec.valid}
WEAK_LABELS = frozenset(label for spec in FIELDS for label in spec.weak)
PROSE_LABELS = frozenset(label for spec in FIELDS for label in spec.prose)

BULLET = r"(?:[•·▪◆●■\-*]\s*)?"
PAD = r"[ \u3000]*"


def _spaced(label: str) -> str:
    return PAD.join(re.escape(char) for char in label)


_LABEL_TO_KEY = {label: key for key, labels in LABELS.items() for label in labels}
_INDEXED_LABELS = sorted(_LABEL_TO_KEY, key=len, reverse=True)  # longest first: 备注/文号 before 文号
_ALTERNATIVES = "|".join(f"(?P<l{i}>{_spaced(label)})" for i, label in enumerate(_INDEXED_LABELS))
# A label starts the line or follows white space, and ends with a colon, white space or the
# line; or it stands in brackets: 【L】V.
LABEL_AT = re.compile(rf"(?:(?<=^)|(?<=\s)){BULLET}(?P<open>【{PAD})?(?:{_ALTERNATIVES}){PAD}"
                      rf"(?(open)】[:：]?{PAD}|(?:[:：]{PAD}|(?=\s)|$))")


@dataclass(frozen=True)
class Pair:
    key: str
    label: str  # as the schema spells it (or another portal as it wrote it), without padding
    value: str
    source: tuple[Line, ...]  # the raw lines it was read from
    unlabelled: bool = False  # read by its shape alone (see UNLABELLED_PUBLISHED)


@dataclass
class Metadata:
    pairs: list[Pair] = field(default_factory=list)
    rest: list[Line] = field(default_factory=list)  # lines that were not metadata


# A label LABELS does not know: a few Chinese characters and a colon. Read only in the head
# and beside known labels (`extract`), kept under `extra`; never one that starts a line of
# the notice itself (主送, 抄送, 联系人, 附件 …).
OTHER_LABEL_AT = re.compile(rf"(?:(?<=^)|(?<=\s)){BULLET}(?P<open>【{PAD})?"
                            rf"(?P<other>[\u4e00-\u9fff][\u4e00-\u9fff/]{{1,7}}){PAD}(?(open)】[:：]?|[:：]){PAD}")
NOT_LABELS = re.compile(r"^(?:附件|主送|抄送|联系|电话|传真|地址|邮编|邮箱|网址|各)")


def _label_of(match: re.Match[str]) -> str:
    index = int(next(name for name, value in match.groupdict().items() if value and name[0] == "l")[1:])
    return _INDEXED_LABELS[index]


def _valid(label: str, value: str) -> bool:
    if label in PROSE_LABELS:
        return len(value) <= MAX_PROSE
    return VALIDATORS[_LABEL_TO_KEY.get(label, "extra")](value)


def _other_labels(text: str, known: list[re.Match[str]]) -> list[tuple[re.Match[str], str]]:
    taken = {match.start() for match in known}
    return [(match, label) for match in OTHER_LABEL_AT.finditer(text) for label in (match["other"],)
            if match.start() not in taken and label not in _LABEL_TO_KEY and not NOT_LABELS.match(label)]


def _unbracketed(text: str) -> str:
    """A line less a bracket a scrape split from its other half: `(L：…` and `L：…)`."""
    if text[:1] in "(（" and not re.search(r"[)）]", text):
        text = text[1:]
    if text[-1:] in ")）" and not re.search(r"[(（]", text):
        text = text[:-1]
    return text


def parse_pairs(text: str, other_labels: bool = False) -> list[tuple[str, str]] | None:
    """[(label, value)] when the whole line is label/value pairs, else None; with
    `other_labels`, labels LABELS does not know count too."""
    text = _unbracketed(text)
    if not other_labels and not LABEL_AT.match(text):  # most lines: no label at the start
        return None
    known = list(LABEL_AT.finditer(text))
    matches = sorted([(match, _label_of(match)) for match in known]
                     + (_other_labels(text, known) if other_labels else []), key=lambda found: found[0].start())
    if not matches or matches[0][0].start() != 0:
        return None
    pairs = []
    for (current, label), following in zip(matches, [*matches[1:], None], strict=True):
        end = following[0].start() if following else len(text)
        value = text[current.end():end].strip(" \u3000")
        if not _valid(label, value):
            return None
        pairs.append((label, value))
    return pairs


def _pairs_of(lines: list[Line], index: int, in_head: bool, after_metadata: bool) -> list[tuple[str, str]] | None:
    """The pairs of lines[index]: any label in the head, and labels of other portals beside
    known ones; only unambiguous labels further down."""
    text = lines[index].text
    pairs = parse_pairs(text)
    if pairs and not in_head and any(label in WEAK_LABELS for label, _ in pairs):
        return None
    if in_head and (pairs is not None or after_metadata or LABEL_AT.match(text) or (
            index + 1 < len(lines) and parse_pairs(lines[index + 1].text) is not None)):
        # 信息来源：示例局 作者：办公室 is two pairs, though 作者 is no synonym in the schema.
        loose = parse_pairs(text, other_labels=True)
        if loose is not None and (pairs is None or len(loose) > len(pairs)):
            return loose
    return pairs


def _value_below(label: str, following: str) -> bool:
    """Whether the line below a label alone on its line is its value. An empty label above
    the notice's title (gov.cn's label of keywords) does not take the title, nor one of another
    portal's a heading (市直有关单位： over 一、…)."""
    if not following or not _valid(label, following) or parse_pairs(following, other_labels=True) is not None:
        return False
    if label not in _LABEL_TO_KEY:
        return not is_marker_line(following) and not looks_like_title(following)
    return _LABEL_TO_KEY[label] == "title" or not looks_like_title(following)


# A portal prints the moment it published a notice under its heading, often with no label:
# 2021-06-03 14:42. A date with a time of day, or in ISO form, is no `written` date.
UNLABELLED_PUBLISHED = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
                                  r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*\d{1,2}:\d{2}(?::\d{2})?")


def extract(lines: list[Line]) -> Metadata:
    """Pull labelled metadata out of the lines (see `_pairs_of`); the head ends at the first
    line that is neither metadata nor a short title line."""
    result = Metadata()
    in_head = True
    last_metadata = -2  # the index of the last line read as metadata
    index = 0
    while index < len(lines):
        line = lines[index]
        pairs = _pairs_of(lines, index, in_head, last_metadata == index - 1)
        source: tuple[Line, ...] = (line,)
        if pairs and len(pairs) == 1 and not pairs[0][1] and index + 1 < len(lines) \
                and _value_below(pairs[0][0], lines[index + 1].text):
            pairs = [(pairs[0][0], lines[index + 1].text)]
            source = (line, lines[index + 1])
            index += 1
        if pairs and any(not value and label not in _LABEL_TO_KEY for label, value in pairs):
            pairs = None  # another portal's label with no value is no label: 市直有关单位：
        if pairs is None and in_head and UNLABELLED_PUBLISHED.fullmatch(line.text) \
                and all(pair.key != "published" for pair in result.pairs):
            result.pairs.append(Pair("published", BY_KEY["published"].label, line.text, source, unlabelled=True))
            last_metadata = index
            index += 1
            continue
        if pairs is None:
            result.rest.append(line)
            if len(line.text) > MAX_TITLE_LINE or re.search(r"[。；:：]$|。", line.text):
                in_head = False
            index += 1
            continue
        for label, value in pairs:
            result.pairs.append(Pair(_LABEL_TO_KEY.get(label, "extra"), label, value, source))
        last_metadata = index
        index += 1
    return result
