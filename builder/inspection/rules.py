"""The inspection's vocabulary: a rule is a named row (name, severity, title, the check
that finds it, the fix an editor applies, the inspection item it follows); a finding is
one place where a rule is broken."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any

from builder.check import Checked
from builder.config import SiteConfig
from builder.errors import Problem
from builder.model import Notice
from builder.site_index import SiteIndex


class Severity(IntEnum):
    """The inspection's three outcomes, worst first (sorting puts 不合格 on top)."""

    FAIL = 0  # 不合格: the site fails the inspection outright (单项否决)
    DEDUCT = 1  # 扣分: points are taken off
    NOTE = 2  # 提示: for the editor to look at

    @property
    def label(self) -> str:
        """The outcome as the inspection names it: 不合格, 扣分 or 提示."""
        return ("不合格", "扣分", "提示")[self]


@dataclass(frozen=True)
class Hit:
    """Where a rule is broken: a file (and line) or a page of the built site, and what is wrong."""

    where: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class Finding:
    """One place where a rule is broken, with the rule's severity, title and fix: a line of
    `check`'s table, an item of its JSON, a row of the report page."""

    rule: str
    severity: Severity
    title: str
    where: str
    line: int | None
    message: str
    fix: str

    @property
    def location(self) -> str:
        """The place as `file:line`, or the file or page alone."""
        return self.where if self.line is None else f"{self.where}:{self.line}"


FRONT_KEY = re.compile(r"^([A-Za-z_]+):", re.M)


@dataclass
class Entry:
    """One notice with its content file's text, for line numbers and for scanning its body."""

    notice: Notice
    file: str  # as findings name it: content/notices/x.md
    path: Path
    text: str
    body_start: int = 0  # offset of the body in text
    body_line: int = 1  # line of the body's first character
    key_lines: dict[str, int] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # what several rules look for, found once

    @classmethod
    def of(cls, notice: Notice, file: str, path: Path, text: str) -> Entry:
        """The entry of a content file's text: where its body starts, and the line of each
        front-matter key, so a finding names the line to fix."""
        end = text.find("\n---\n", 3)
        front = text[:end] if end > 0 else ""
        lines = {m[1]: front.count("\n", 0, m.start()) + 1 for m in FRONT_KEY.finditer(front)}
        start = end + 5 if end > 0 else 0
        return cls(notice, file, path, text, start, text.count("\n", 0, start) + 1, lines)

    @property
    def body(self) -> str:
        """The content file's body, what readers see: where links and personal data are
        looked for."""
        return self.text[self.body_start:]

    def line_of(self, key: str) -> int | None:
        """The line of a front-matter key in the file, or None when the file does not give it."""
        return self.key_lines.get(key)

    def body_line_at(self, offset: int) -> int:
        """The file's line of a character of the body."""
        return self.body_line + self.text.count("\n", self.body_start, self.body_start + offset)


@dataclass
class Site:
    """What the rules look at: the content (published notices only), the site's groups, the
    built site's own check, and the day it is judged on."""

    config: SiteConfig
    entries: list[Entry]
    index: SiteIndex
    as_of: date
    out: Path
    checked: Checked | None
    problems: list[Problem] = field(default_factory=list)  # content a build would refuse
    content: bool = True  # whether there is a content/ folder to inspect at all
    site_file: str = "site.yaml"
    site_text: str = ""


Check = Callable[[Site], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One rule of the inspection, a row of a family's table: its name, severity, Chinese
    title, the check that finds its hits, the fix an editor applies and the inspection item
    it follows."""

    name: str
    severity: Severity
    title: str  # what the rule is, in a few words of Chinese
    check: Check
    fix: str  # what the editor does about it, in plain Chinese
    source: str  # the inspection item it follows

    def findings(self, site: Site) -> list[Finding]:
        """Every hit of the rule on `site`, as findings that carry the rule's severity,
        title and fix."""
        return [Finding(self.name, self.severity, self.title, hit.where, hit.line, hit.message, self.fix)
                for hit in self.check(site)]
