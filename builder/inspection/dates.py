"""Dates that cannot all be true: published before written, published after the day of the
check, a 成文日期 that is not the date under the signature, and two dates the normaliser
found for one field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from builder.dates import parse_date
from builder.inspection.rules import Hit, Rule, Severity, Site
from builder.inspection.timeliness import published_day
from builder.schema import LABEL

# A finding names a date by its label, as the page an inspector reads it on does.
WRITTEN, PUBLISHED, SIGNED = LABEL["written"], LABEL["published"], LABEL["signed"]
SIGNATURE_SLACK = 1  # days: a notice signed late in the evening is often dated the next day
# The normaliser's warning for a label given twice (builder/normalize/assemble.py), kept in
# the content's `warnings`: a date label with two values is a date the page contradicts.
TWICE = re.compile(r"^(?P<label>\S*(?:日期|时间)\S*) given twice: kept (?P<kept>\S+), ignored (?P<other>\S+)")


def _day(value: str | None) -> date | None:
    parsed = parse_date(value) if value else None
    return parsed.day if parsed else None


def published_before_written(site: Site) -> Iterator[Hit]:
    """A 发布日期 before the 成文日期: no document is published before it is written, so one
    of the dates is wrong, and the inspection asks for true publication dates (a backdated
    one, 倒签, fails the site)."""
    for entry in site.entries:
        written, published = _day(entry.notice.written), published_day(entry)
        if written and published and published < written:
            yield Hit(entry.file, f"{PUBLISHED} {published} 早于{WRITTEN} {written}", entry.line_of("published"))


def published_in_future(site: Site) -> Iterator[Hit]:
    """A 发布日期 after the day the site is judged on: the page claims a publication that
    has not happened yet; a notice not yet due belongs in the content as a draft."""
    for entry in site.entries:
        published = published_day(entry)
        if published and published > site.as_of:
            yield Hit(entry.file, f"{PUBLISHED} {published} 晚于检查日 {site.as_of}", entry.line_of("published"))


def written_not_signed(site: Site) -> Iterator[Hit]:
    """A 成文日期 more than a day away from the date under the signature (落款日期):
    GB/T 9704 dates a document by its signature, so one of the two was copied wrong."""
    for entry in site.entries:
        written, signed = _day(entry.notice.written), _day(entry.notice.signed)
        if written and signed and abs((written - signed).days) > SIGNATURE_SLACK:
            way = "晚于" if written > signed else "早于"
            yield Hit(entry.file, f"{WRITTEN} {written} {way}{SIGNED} {signed}", entry.line_of("written"))


def date_given_twice(site: Site) -> Iterator[Hit]:
    """A date the source page gave twice, as two different days (the normaliser kept one and
    warned): the page contradicts itself, and the day kept may be the wrong one."""
    for entry in site.entries:
        for warning in entry.notice.warnings:
            match = TWICE.match(warning)
            kept, other = (_day(match["kept"]), _day(match["other"])) if match else (None, None)
            if match and kept and other and kept != other:
                yield Hit(entry.file, f"{match['label']}前后不一：元数据为 {kept}，正文另有 {other}",
                          entry.line_of("warnings"))


SOURCE = f"《政府网站与政务新媒体检查指标》信息发布：{PUBLISHED}真实准确（倒签{PUBLISHED}按不合格论）"
RULES = (
    Rule("published_before_written", Severity.DEDUCT, f"{PUBLISHED}早于{WRITTEN}", published_before_written,
         f"核对原件，改正{WRITTEN}（written）或{PUBLISHED}（published）", SOURCE),
    Rule("published_in_future", Severity.DEDUCT, f"{PUBLISHED}晚于检查日", published_in_future,
         f"核对{PUBLISHED}（published）；尚未发布的文件加 draft: true", SOURCE),
    Rule("written_not_signed", Severity.DEDUCT, f"{WRITTEN}与{SIGNED}不符", written_not_signed,
         f"{WRITTEN}以{SIGNED}为准：核对原件后改正 written 或 signed", SOURCE),
    Rule("date_given_twice", Severity.DEDUCT, "同一日期前后不一", date_given_twice,
         "核对原件，在文件头部保留正确的日期，并删去 warnings 中这一条", SOURCE),
)
