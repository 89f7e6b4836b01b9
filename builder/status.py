"""What the content says of its notices' lives, without building: each notice's status, the
next day a status changes (`gongkai status --next`, for a scheduled rebuild), and the counts
the annual 政府信息公开工作年度报告 asks for (`gongkai report --year`)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from builder.config import SiteConfig
from builder.content import load_notices
from builder.fsio import tree_state, write_atomic
from builder.lifecycle import EXPIRED, REPEALED, STATUSES, Lifecycle, judging_day
from builder.model import Notice
from builder.schema import LABEL
from builder.site_index import agency_names

# What the 年度报告 counts as rules and normative documents, and as interpretations.
REGULATION = re.compile(r"(?:办法|规定|条例|细则|规则|规程|实施意见)$|令$")
NORMATIVE = re.compile(r"规范性文件|[〔\[]\d{4}[〕\]]\d+号")  # 行政规范性文件 carry a 规范性 mark or a 文号
INTERPRETATION = re.compile(r"解读|答记者问|问答")
REPORT_COLUMNS = (LABEL["publisher"], "公开文件", "规章", "行政规范性文件", "年内废止或失效", "年末有效", "政策解读",
                  "有解读的政策", "政策解读覆盖率")


def site_life(root: Path, config: SiteConfig) -> Lifecycle:
    """The site's notices (drafts aside) and their relations, judged on the config's as_of day."""
    content = root / "content"
    notices = [n for n in load_notices(content, tree_state(content)).notices if not n.draft]
    return Lifecycle(notices, judging_day(notices, config.as_of))


def status_lines(life: Lifecycle) -> list[str]:
    """One line per notice whose status is not plainly 有效, worst first."""
    lines = []
    for notice in life.notices:
        status = life.status(notice)
        if status.name == "有效":
            continue
        by = f"，由《{status.by.text}》{status.by.type}" if status.by else ""
        since = f"，自{status.since}" if status.since else ""
        lines.append((STATUSES.index(status.name), f"{status.name}  {notice.slug}  《{notice.title}》{since}{by}"))
    return [line for _, line in sorted(lines, key=lambda item: (-item[0], item[1]))]


@dataclass
class Counts:
    """A publisher's counts for one year of the 年度报告: notices published, 规章 and
    行政规范性文件 among them, those ended in the year, those in force at its end, and
    interpretations."""

    published: int = 0
    regulations: int = 0
    normative: int = 0
    ended: int = 0  # repealed or expired within the year
    in_force: int = 0  # at the year's end
    interpretations: int = 0
    interpreted: int = 0  # policies of the year with a 政策解读

    def row(self, publisher: str) -> list[str]:
        """The counts as a row of the report's table (REPORT_COLUMNS), the policies with a
        政策解读 also as a share, the 政策解读覆盖率."""
        policies = self.regulations + self.normative
        share = f"{self.interpreted / policies:.0%}" if policies else "—"
        return [publisher, *(str(n) for n in (self.published, self.regulations, self.normative, self.ended,
                                              self.in_force, self.interpretations, self.interpreted)), share]


def _policy(notice: Notice) -> str | None:
    title = notice.title or ""
    if REGULATION.search(re.sub(r"[（(][^（()）]*[）)]$", "", title.rstrip("》"))):
        return "regulation"
    return "normative" if NORMATIVE.search(f"{notice.doc_type or ''} {notice.doc_no or ''}") else None


def annual_counts(root: Path, config: SiteConfig, year: int) -> dict[str, Counts]:
    """Per publisher (one agency, one name), the year's counts, judged at the year's end."""
    end = f"{year}-12-31"
    life = site_life(root, replace(config, as_of=end))
    agency, _ = agency_names({n.publisher for n in life.notices if n.publisher}, config.publishers)
    counts: dict[str, Counts] = {}
    for notice in life.notices:
        row = counts.setdefault(agency.get(notice.publisher or "", "（未注明）"), Counts())
        day = (notice.dated or "")[:10]
        status = life.status(notice)
        interpretation = bool(INTERPRETATION.search(notice.title or ""))
        kind = None if interpretation else _policy(notice)
        if day.startswith(str(year)):
            row.published += 1
            row.interpretations += interpretation
            row.regulations += kind == "regulation"
            row.normative += kind == "normative"
            row.interpreted += kind is not None and any(
                link.type == "解读" and not link.outgoing for link in life.links_of(notice))
        if status.name in (REPEALED, EXPIRED) and (status.since or "").startswith(str(year)):
            row.ended += 1
        if day and day <= end and status.name not in (REPEALED, EXPIRED, "尚未生效"):
            row.in_force += 1
    return dict(sorted(counts.items()))


def write_report(counts: dict[str, Counts], year: int, folder: Path) -> tuple[Path, Path, str]:
    """The counts as CSV and JSON files in `folder`, and as a table for the terminal."""
    rows = [counts[name].row(name) for name in counts]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([list(REPORT_COLUMNS), *rows])
    csv_file, json_file = folder / f"annual-report-{year}.csv", folder / f"annual-report-{year}.json"
    write_atomic(csv_file, buffer.getvalue())
    data = {"year": year, "columns": list(REPORT_COLUMNS), "rows": [dict(zip(REPORT_COLUMNS, row, strict=True))
                                                                     for row in rows]}
    write_atomic(json_file, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    table = "\n".join("  ".join(row) for row in [list(REPORT_COLUMNS), *rows])
    return csv_file, json_file, table
