"""Dates as portals write them → ISO 8601 strings."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from builder.errors import GongkaiError, Problem
from builder.i18n import _
from builder.numerals import cn_number

CN_NUMERAL = "〇○零OＯ一二三四五六七八九十"

# A time of day, as portals write it or as ISO 8601 in China's offset (our own output).
_TIME = r"(?:(?:\s*|T)(?P<hh>\d{1,2})[:：](?P<mi>\d{2})(?:[:：](?P<ss>\d{2}))?(?:\+08:?00)?)?"
# Each pattern must match the whole value; a date inside a sentence is not a date value.
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})" + _TIME),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日" + _TIME),
    re.compile(rf"(?P<y>[{CN_NUMERAL}]{{4}})\s*年\s*(?P<m>[{CN_NUMERAL}]{{1,3}})\s*月"
               rf"\s*(?P<d>[{CN_NUMERAL}]{{1,3}})\s*日"),
)


@dataclass(frozen=True)
class ParsedDate:
    """A date as a portal wrote it, with the time of day where one was given: a 发布日期
    often has one, a 成文日期 never."""

    day: date
    clock: time | None

    def iso(self) -> str:
        """The date alone, or the moment with China's offset when a time was given."""
        if self.clock is None:
            return self.day.isoformat()
        return f"{self.day.isoformat()}T{self.clock.isoformat()}+08:00"


def parse_date(text: str) -> ParsedDate | None:
    """The date that `text` consists of, or None when it is not exactly a date."""
    value = unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(value)
        if not match:
            continue
        try:
            year, month, number = (cn_number(match[part]) for part in ("y", "m", "d"))
            if year is None or month is None or number is None:
                return None
            day = date(year, month, number)
            groups = match.groupdict()
            clock = None
            if groups.get("hh"):
                clock = time(int(groups["hh"]), int(groups["mi"]), int(groups["ss"] or 0))
        except ValueError:  # no such day, hour or minute
            return None
        return ParsedDate(day, clock)
    return None


def as_of_day(value: str | None) -> str | None:
    """The day given to --as-of: YYYY-MM-DD, or `today` in China's time zone; None for the
    default (the newest date in the content)."""
    if value is None:
        return None
    if value == "today":
        return datetime.now(timezone(timedelta(hours=8))).date().isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise GongkaiError(Problem("--as-of", _("{value}: expected a date such as 2024-05-01, or today").format(
            value=repr(value[:40])))) from None
