"""`gongkai check`'s inspection: what the 政府网站 inspections mark down, found in the
content and the built site before they are published. Each family of rules is a module
with a table of named rules (builder/inspection/rules.py); this module reads the site and
runs them all, worst first."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from builder.check import Checked
from builder.config import SiteConfig
from builder.content import load_notices
from builder.errors import GongkaiError, Problem, system_reason
from builder.fsio import tree_state
from builder.i18n import _
from builder.inspection import dates, identifiers, identity, interpretation, links, personal, timeliness
from builder.inspection.rules import Entry, Finding, Rule, Severity, Site
from builder.record import load_content
from builder.site_index import index_site
from builder.urls import content_file

RULES: tuple[Rule, ...] = (*links.RULES, *timeliness.RULES, *dates.RULES, *identifiers.RULES, *personal.RULES,
                           *interpretation.RULES, *identity.RULES)
CHINA = timezone(timedelta(hours=8))


def as_of_day(given: str | None, entries: list[Entry]) -> date:
    """The day the site is judged on: `today` (China's), a date, or by default the newest
    date in the content, so the same content always gives the same findings."""
    if given == "today":
        return datetime.now(CHINA).date()
    if given:
        try:
            return date.fromisoformat(given)
        except ValueError:
            raise GongkaiError(Problem("--as-of", _("{value}: expected today or a date such as 2024-06-30").format(
                value=given))) from None
    days = [value[:10] for e in entries for value in (e.notice.published, e.notice.written) if value]
    return date.fromisoformat(max(days)) if days else datetime.now(CHINA).date()


def _entries(root: Path, jobs: int) -> tuple[list[Entry], list[Problem]]:
    """The published notices (drafts left out, as a build leaves them), each with its file's
    text; or the content's problems, which a build would refuse too."""
    content = root / "content"
    try:
        cache = load_content(root)  # the last build's parse, where files are unchanged
        loaded = load_notices(content, tree_state(content), cache, jobs)
    except GongkaiError as err:
        return [], list(err.problems)
    entries = []
    for notice in loaded.notices:
        if notice.draft:
            continue
        path = Path(loaded.paths[notice.slug])
        file = content_file(path.name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:  # changed since it was read a moment ago
            reason = system_reason(err) if isinstance(err, OSError) else _("not UTF-8 text")
            return [], [Problem(file, _("cannot read: {reason}").format(reason=reason))]
        entries.append(Entry.of(notice, file, path, text))
    return entries, []


def read_site(root: Path, config: SiteConfig, out: Path, checked: Checked | None, as_of: str | None = None,
              jobs: int | None = None) -> Site:
    """What the rules look at, read once: the published notices with their files' text, the
    site's groups, site.yaml's text and the built site's check. Content a build would refuse
    becomes content_invalid's findings, not an error, so the rest is still inspected."""
    entries, problems = _entries(root, jobs or os.cpu_count() or 1)
    site_file = root / "site.yaml"
    try:
        site_text = site_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        site_text = ""  # load_config has said what is wrong with it
    index = index_site([entry.notice for entry in entries], config)
    return Site(config, entries, index, as_of_day(as_of, entries), out, checked, problems,
                (root / "content").is_dir(), "site.yaml", site_text)


def inspect(site: Site) -> list[Finding]:
    """Every finding, the worst first, then by rule (in table order) and place."""
    order = {rule.name: number for number, rule in enumerate(RULES)}
    found = [finding for rule in RULES for finding in rule.findings(site)]
    return sorted(found, key=lambda f: (f.severity, order[f.rule], f.where, f.line or 0))


def worst(findings: list[Finding]) -> Severity | None:
    """The worst severity among the findings, None when there are none: the verdict
    `check`'s exit status and `deploy`'s refusal go by."""
    return min((finding.severity for finding in findings), default=None)


__all__ = ["RULES", "Finding", "Severity", "Site", "inspect", "read_site", "worst"]
