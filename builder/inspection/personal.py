"""Personal data in what is published: resident ID numbers (GB 11643, with its check digit
and a birth date that can be), mainland mobile numbers and bank card numbers (Luhn), each
with the masked form to publish instead; `check --fix-personal-data` writes those in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial

from builder.inspection.rules import Entry, Hit, Rule, Severity, Site

# A number that is part of a longer run, an 索引号 (000014349/2024-00185), a code with
# letters or a file name is none of these: nothing alphanumeric or joining on either side.
BEFORE = r"(?<![0-9A-Za-z_/\\.\-=])"
AFTER = r"(?![0-9A-Za-z_]|[/.\-]\d)"
# Counts and sums are written with a unit; a mobile number never is.
UNIT_AFTER = re.compile(r"\s*(?:元|万|亿|千|百|美元|吨|平方|米|公里|千米|人|户|项|个|件|次|台|%|％)")
# Every number looked for holds eleven digits in a row or in groups: a text without such a
# run (most notices) is passed over in one quick scan.
CANDIDATE = re.compile(r"\d{3}[ -]?\d{4}[ -]?\d{4}")
URL = re.compile(r"(?:https?|ftp)://[^\s)\]>\"'，。；、]+", re.I)

ID_NUMBER = re.compile(BEFORE + r"(\d{17}[\dXx])" + AFTER)
MOBILE = re.compile(BEFORE + r"(?:\+?86[ -]?)?(1[3-9]\d(?:\d{8}|-\d{4}-\d{4}| \d{4} \d{4}))" + AFTER)
# Card numbers of the schemes Chinese banks issue: 62 UnionPay, 4 Visa, 51–55 Mastercard;
# printed whole or in groups of four.
BANK_CARD = re.compile(BEFORE + r"((?:62|4|5[1-5])\d{14,17}|(?:62|4|5[1-5])\d{2}(?: \d{4}){3}(?: \d{1,3})?)" + AFTER)
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
             54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
OLDEST = 1900


def id_shaped(value: str, today: date) -> bool:
    """A province and a birth date that has been, as an ID number begins."""
    if int(value[:2]) not in PROVINCES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return born.year >= OLDEST and born <= today


def id_number(value: str, today: date) -> bool:
    """A resident ID number as GB 11643 makes them: a province, a birth date that has been,
    the check digit. A random run of 18 digits passes all three about once in 60,000."""
    if not id_shaped(value, today):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17].upper()


def luhn(digits: str) -> bool:
    """Luhn's check, which every bank card number passes: it tells a card number from a run
    of digits that only looks like one."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        number = int(digit) * (2 if position % 2 else 1)
        total += number - 9 if number > 9 else number
    return total % 10 == 0


def masked(value: str, keep_head: int, keep_tail: int) -> str:
    """The number with all but its head and tail starred: 4401**********1234."""
    digits = re.sub(r"[ -]", "", value)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


@dataclass(frozen=True)
class Kind:
    """A kind of personal number the inspection looks for: what findings call it, how to
    find and confirm one, and how much of it the masked form keeps."""

    name: str  # what the finding calls it
    pattern: re.Pattern[str]
    valid: Callable[[str, str, int, date], bool]  # (number, text, end, as_of)
    head: int
    tail: int


def _mobile(value: str, text: str, end: int, today: date) -> bool:
    return not UNIT_AFTER.match(text, end)


def _card(value: str, today: date) -> bool:
    """Luhn's check; an ID number mistyped (44…, 62… are provinces too) is not taken for a card."""
    digits = value.replace(" ", "")
    return luhn(digits) and not (len(digits) == len(ID_WEIGHTS) + 1 and id_shaped(digits, today))


KINDS = {
    "personal_id": Kind("身份证号", ID_NUMBER, lambda value, text, end, today: id_number(value, today), 4, 4),
    "personal_mobile": Kind("手机号码", MOBILE, _mobile, 3, 4),
    "personal_bank_card": Kind("银行卡号", BANK_CARD, lambda value, text, end, today: _card(value, today), 4, 4),
}


@dataclass(frozen=True)
class Found:
    """A personal number found in a text: its kind, where it stands, and the masked form to
    publish in its place."""

    kind: str
    start: int
    end: int
    masked: str


def find_personal(text: str, today: date) -> list[Found]:
    """Every personal number in `text`, in order; none inside a web address, none twice."""
    if not CANDIDATE.search(text):
        return []
    taken = [(m.start(), m.end()) for m in URL.finditer(text)]
    found = []
    for name, kind in KINDS.items():
        for match in kind.pattern.finditer(text):
            start, end = match.span(1)
            if any(a < end and start < b for a, b in taken) or not kind.valid(match[1], text, end, today):
                continue
            taken.append((start, end))
            found.append(Found(name, start, end, masked(match[1], kind.head, kind.tail)))
    return sorted(found, key=lambda item: item.start)


def mask_personal(text: str, today: date) -> tuple[str, list[Found]]:
    """`text` with every personal number masked, and what was masked."""
    found = find_personal(text, today)
    for item in reversed(found):
        text = text[:item.start] + item.masked + text[item.end:]
    return text, found


def _found(site: Site, kind: str) -> Iterator[Hit]:
    for entry in site.entries:
        for item in personal_in(entry, site.as_of):
            if item.kind == kind:
                yield Hit(entry.file, f"{KINDS[kind].name}，应公开为 {item.masked}", entry.body_line_at(item.start))


def personal_in(entry: Entry, today: date) -> list[Found]:
    """Personal numbers in a notice's body (its attachments' inline text included), found once."""
    cached = entry.memo.get("personal")
    if cached is None:
        cached = entry.memo["personal"] = find_personal(entry.body, today)
    return cached


SOURCE = "《政府网站与政务新媒体检查指标》安全防护：泄露个人隐私；《个人信息保护法》第二十八条 敏感个人信息"
FIX = "把这个号码改为脱敏形式（gongkai check --fix-personal-data 可批量改写，先加 --dry-run 看一遍）"
RULES = tuple(Rule(name, Severity.DEDUCT, f"公开了{kind.name}", partial(_found, kind=name), FIX, SOURCE)
              for name, kind in KINDS.items())
