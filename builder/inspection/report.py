"""The inspection's findings for people and for machines: a table in the terminal, JSON for
CI, and an HTML page in the built site at _inspection/ (linked from no page, never deployed)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from builder.check import REPORT_DIR
from builder.config import SiteConfig
from builder.fsio import make_room, write_atomic
from builder.inspection.rules import Finding, Rule, Severity
from builder.paths import check_out_folder, path_problem
from builder.theme import theme_environment
from builder.urls import CONTENT_NOTICES, notice_page

REPORT = f"{REPORT_DIR}/index.html"
SHOWN = 20  # findings of one rule the terminal shows; the JSON and the HTML page have more
SHOWN_IN_PAGE = 1000  # findings of one rule the page shows: a page stays one a browser opens quickly


@dataclass(frozen=True)
class Group:
    """One rule's findings, for the terminal and the page."""

    name: str
    severity: Severity
    title: str
    fix: str
    source: str
    findings: list[Finding]
    hidden: int = 0
    rows: tuple[tuple[Finding, str | None], ...] = ()


def groups(findings: list[Finding], rules: tuple[Rule, ...]) -> list[Group]:
    """Findings by rule, in the order they came (the worst first)."""
    by_rule = {rule.name: rule for rule in rules}
    found: dict[str, list[Finding]] = {}
    for finding in findings:
        found.setdefault(finding.rule, []).append(finding)
    return [Group(name, by_rule[name].severity, by_rule[name].title, by_rule[name].fix, by_rule[name].source, items)
            for name, items in found.items()]


def counts(findings: list[Finding]) -> dict[str, int]:
    """The number of findings of each severity, by its Chinese label: the tally `check`
    prints and the JSON and the report page carry."""
    return {severity.label: sum(f.severity == severity for f in findings) for severity in Severity}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(findings: list[Finding], rules: tuple[Rule, ...]) -> Iterator[str]:
    """Lines of the terminal's table: each rule a heading, its places and messages aligned."""
    for group in groups(findings, rules):
        yield f"{group.severity.label}  {group.name}  {group.title}（{len(group.findings)} 处）"
        shown = group.findings[:SHOWN]
        width = min(60, max(_width(f.location) for f in shown))
        for finding in shown:
            yield f"    {finding.location}{' ' * max(1, width - _width(finding.location) + 2)}{finding.message}"
        if len(group.findings) > SHOWN:
            yield f"    …另有 {len(group.findings) - SHOWN} 处（见 --format json 或 {REPORT}）"
        yield f"    整改：{group.fix}"


def as_json(findings: list[Finding], as_of: date) -> str:
    """The findings for CI: the day judged on, the counts, and every finding with its rule,
    place, message and fix."""
    data = {"as_of": as_of.isoformat(), "counts": counts(findings),
            "findings": [{"rule": f.rule, "severity": f.severity.label, "title": f.title, "file": f.where,
                          "line": f.line, "message": f.message, "fix": f.fix} for f in findings]}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _link(where: str, out: Path) -> str | None:
    """The report's link to the page a finding is about: a notice's content file is its page."""
    name = Path(where).name
    if where.startswith(CONTENT_NOTICES) and name.endswith(".md"):
        page = notice_page(name[:-3].lower())
    else:
        page = where.removeprefix(out.as_posix().rstrip("/") + "/")
    target = out / page / "index.html" if page.endswith("/") else out / page
    return f"../{page}" if path_problem(page.rstrip("/") or ".") is None and target.is_file() else None


def write_report(findings: list[Finding], rules: tuple[Rule, ...], config: SiteConfig, as_of: date, root: Path,
                 out: Path) -> Path:
    """Write the findings as a page of the built site (_inspection/, never deployed), each
    linked to the page it is about where there is one, for the editor who fixes them;
    returns where the page is."""
    shown = []
    for group in groups(findings, rules):
        kept = group.findings[:SHOWN_IN_PAGE]
        shown.append(Group(group.name, group.severity, group.title, group.fix, group.source, group.findings,
                           len(group.findings) - len(kept), tuple((f, _link(f.where, out)) for f in kept)))
    html = theme_environment(root / "theme").get_template("inspection.html").render(
        site=config, as_of=as_of.isoformat(), groups=shown, counts=counts(findings).items())
    # The site's own folder, its links followed (gongkai may serve a tree through a link);
    # a link or a file where the report's folder goes (put there by hand, or by someone who
    # can write into the site) is cleared, never followed out of the site.
    home = check_out_folder(root, out, force=False).resolve()
    make_room(home / REPORT, home)
    write_atomic(home / REPORT, html)
    return out / REPORT
