"""What a notice's own words say of its life, read as guesses (builder/lifecycle.py judges
them): the documents it repeals, amends, interprets or rests on, and when it takes effect
and expires. Each rule is a named row; each value is marked inferred, with the sentence it
came from in the report."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from builder.dates import parse_date
from builder.i18n import N_, Phrase
from builder.model import Relation
from builder.normalize.decode import Line
from builder.normalize.fields import Fields

NAME = r"《(?P<name>[^《》]{2,80}(?:<[^<>]*>[^《》]{0,40})?)》"
DOC_NO = r"[^\s（()）《》，。、]{1,20}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,5}\s*号"
CITED = rf"{NAME}(?:\s*[（(](?P<doc_no>{DOC_NO})[）)])?"
DAY = r"(?P<day>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
SENTENCE = re.compile(r"[^。；;！？\n]+[。；;！？]?")
YEARS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class RelationRule:
    """A way a notice's words state a relation to another document (关于废止《X》,
    根据《X》（文号）): its name, given in the report, its relation type and its pattern."""

    name: str
    type: str  # a relation type of builder/lifecycle.py
    pattern: re.Pattern[str]
    in_title: bool = False  # read off the title, not the text


RELATION_RULES: tuple[RelationRule, ...] = (
    RelationRule(N_("a title that repeals"), "废止", re.compile(rf"关于(?:宣布)?废止{CITED}"), in_title=True),
    RelationRule(N_("a title that amends"), "修订", re.compile(rf"关于修改{CITED}"), in_title=True),
    RelationRule(N_("a title that interprets"), "解读", re.compile(rf"^(?:关于)?{NAME}(?:的)?(?:政策)?解读"),
                 in_title=True),
    RelationRule(N_("…同时废止 / 停止执行"), "废止",
                 re.compile(rf"(?:原)?{CITED}[^。；]{{0,12}}(?:同时)?(?:废止|停止执行)")),
    RelationRule(N_("废止《X》（文号）"), "废止", re.compile(rf"废止{NAME}[（(](?P<doc_no>{DOC_NO})[）)]")),
    RelationRule(N_("X号文件同时废止"), "废止",
                 re.compile(rf"(?P<doc_no>{DOC_NO})(?:文件)?[^。；]{{0,6}}同时(?:废止|停止执行)")),
    RelationRule(N_("根据《X》（文号）"), "依据",
                 re.compile(rf"(?:根据|依据|按照){NAME}[（(](?P<doc_no>{DOC_NO})[）)]")),
)


@dataclass(frozen=True)
class DateRule:
    """A way a notice's words say when it takes effect or expires (自…起施行, 有效期至…):
    its name, the field it fills, its pattern and how the day is worked out."""

    name: str
    key: str  # effective or expires
    pattern: re.Pattern[str]
    value: Callable[[re.Match[str], Fields], str | None]


def _day(match: re.Match[str], _: Fields) -> str | None:
    parsed = parse_date(match["day"])
    return parsed.day.isoformat() if parsed else None


def _issued(match: re.Match[str], fields: Fields) -> str | None:
    day = fields.notice.written if match["from"] in ("印发", "下发", "签发") else fields.notice.published or \
        fields.notice.written
    return day[:10] if day else None


def _term_end(match: re.Match[str], fields: Fields) -> str | None:
    """The last day of a term of N years from the day the notice takes effect."""
    start = fields.notice.effective
    years = int(match["years"]) if match["years"].isdigit() else YEARS.get(match["years"])
    if not start or not years:
        return None
    begun = date.fromisoformat(start[:10])
    try:
        end = begun.replace(year=begun.year + years)
    except ValueError:  # 29 February
        end = begun.replace(year=begun.year + years, day=28)
    return date.fromordinal(end.toordinal() - 1).isoformat()


# What a notice calls itself where it says when it takes effect: 本办法, 本通知 …
ITSELF = r"本(?:办法|规定|细则|意见|通知|通告|决定|方案|公告|文件|规则|条例|措施|制度)"
DATE_RULES: tuple[DateRule, ...] = (
    DateRule(N_("施行 from a date"), "effective", re.compile(rf"{ITSELF}自{DAY}起(?:施行|执行|实施|生效)"), _day),
    DateRule(N_("施行 from its issue"), "effective",
             re.compile(rf"{ITSELF}自(?P<from>印发|下发|签发|发布|公布)之日起(?:施行|执行|实施|生效)"), _issued),
    DateRule(N_("有效期至 a date"), "expires", re.compile(rf"有效期(?:至|截至|截止到?){DAY}"), _day),
    DateRule(N_("有效期 N 年"), "expires", re.compile(r"有效期(?:为)?(?P<years>\d{1,2}|[一二两三四五六七八九十])年"),
             _term_end),
)


def _sentences(lines: list[Line]) -> Iterator[tuple[Line, str]]:
    for line in lines:
        for match in SENTENCE.finditer(line.text):
            yield line, match.group().strip()


def read_life(fields: Fields, lines: list[Line]) -> None:
    """Relations and validity dates the title and text state, where the front matter has none."""
    notice = fields.notice
    title_lines = fields.result.sources.get("title", [])
    found: list[tuple[Relation, str, Line | None]] = []
    named: dict[tuple[str, str], int] = {}  # (type, document name) → its place in `found`
    for rule in RELATION_RULES:
        texts = [(None, notice.title or "")] if rule.in_title else list(_sentences(lines))
        for line, text in texts:
            for match in rule.pattern.finditer(text):
                groups = match.groupdict()
                target = re.sub(r"\s", "", groups.get("doc_no") or groups.get("name") or "")
                place = named.get((rule.type, groups.get("name") or target))
                if place is not None:  # the same document, now named by its 发文字号 too: that wins
                    if groups.get("doc_no"):
                        found[place] = (Relation(rule.type, target), rule.name, line)
                elif target and all(target != known.target for known, _, _ in found):
                    named[(rule.type, groups.get("name") or target)] = len(found)
                    found.append((Relation(rule.type, target), rule.name, line))
    if found:
        lines_of = [line for _, _, line in found if line is not None] or title_lines
        rules = [Phrase(rule) for rule in dict.fromkeys(rule for _, rule, _ in found)]  # each said in its language
        fields.set("relations", [relation for relation, _, _ in found], lines_of,
                   inferred=Phrase("; ".join("{}" for _ in rules), *rules))
    for date_rule in DATE_RULES:
        if getattr(notice, date_rule.key):
            continue
        for line, text in _sentences(lines):
            found_date = date_rule.pattern.search(text)
            value = date_rule.value(found_date, fields) if found_date else None
            if value:
                fields.set(date_rule.key, value, [line],
                           inferred=Phrase(N_("the sentence 「{sentence}」"), sentence=text[:60]))
                break
