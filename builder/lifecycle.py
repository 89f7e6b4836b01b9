"""A notice's life: whether it is in force on a given day, and how it relates to the others.

Documents take effect, get amended, replaced and repealed, and policies are published with
their 政策解读. Each notice may list `relations` (废止, 修订, 替代, 依据, 解读, 转发, 更正) to
others, named by 发文字号, 索引号, slug or title; they are resolved across the site here, and
each is shown from both ends. A notice's status on the day the site is judged against
(`--as-of`, by default the newest date in the content, so output stays deterministic) comes
from the first rule of STATUS_RULES that applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from builder.errors import Problem
from builder.i18n import _
from builder.model import Notice, Relation
from builder.schema import LABEL
from builder.urls import content_file

NOT_YET, IN_FORCE, AMENDED, PARTLY, REPEALED, EXPIRED = "尚未生效", "有效", "已修订", "部分失效", "已废止", "已失效"
STATUSES = (NOT_YET, IN_FORCE, AMENDED, PARTLY, REPEALED, EXPIRED)
# What a search or list filter groups statuses into.
STANDING = {NOT_YET: "尚未生效", IN_FORCE: "现行有效", AMENDED: "现行有效", PARTLY: "现行有效",
            REPEALED: "已失效", EXPIRED: "已失效"}
# The statuses a notice changes into that its feeds announce.
CHANGES = (AMENDED, PARTLY, REPEALED, EXPIRED)
# schema.org's legislationLegalForce for each status.
LEGAL_FORCE = {NOT_YET: "NotInForce", IN_FORCE: "InForce", AMENDED: "InForce", PARTLY: "PartiallyInForce",
               REPEALED: "NotInForce", EXPIRED: "NotInForce"}
# 有效性 as portals and editors write it → a status (an explicit one wins over any rule).
VALIDITY_WORDS = (("部分失效", PARTLY), ("尚未生效", NOT_YET), ("未生效", NOT_YET), ("废止", REPEALED),
                  ("失效", EXPIRED), ("修订", AMENDED), ("修改", AMENDED), ("有效", IN_FORCE))
# Each relation type as the notice that states it reads it, and as its target reads it.
WORDING: dict[str, tuple[str, str]] = {
    "废止": ("本文件废止", "本文件已被废止"),
    "修订": ("本文件修订", "本文件已被修订"),
    "替代": ("本文件替代", "本文件已被替代"),
    "依据": ("制定依据", "依据本文件制定"),
    "解读": ("解读的文件", "相关解读"),
    "转发": ("转发的文件", "转发本文件"),
    "更正": ("更正的文件", "更正"),
}
RELATION_TYPES = tuple(WORDING)
STATUS_CHANGING = ("废止", "替代", "修订")  # the relations that change their target's status
# The status rules' names (a notice page's key holds its notice's): a field named by its label.
STATED = f"{LABEL['validity']} as the notice states it"
IN_FORCE_RULE = "in force: no rule says otherwise"
PAST_EXPIRY, BEFORE_EFFECT = f"past its {LABEL['expires']}", f"before its {LABEL['effective']}"
DOC_NO_BRACKETS = re.compile(r"[〔\[(（［]\s*(\d{4})\s*[〕\])）］]")


def target_key(text: str) -> str:
    """A 发文字号, 索引号, slug or title as targets are matched: brackets and spaces aside."""
    return DOC_NO_BRACKETS.sub(r"〔\1〕", re.sub(r"[\s《》]", "", text)).lower()


def relation_day(relation: Relation, source: Notice) -> str | None:
    """When a relation took effect: its own date, else when its notice did."""
    day = relation.date or source.effective or source.written or source.published
    return day[:10] if day else None


@dataclass(frozen=True)
class Link:
    """A relation as one of its two notices shows it."""

    type: str
    outgoing: bool  # stated by this notice (it repeals …), or by the other (it was repealed by …)
    label: str  # 本文件已被废止, 相关解读 …
    other: Notice | None  # None when the target names no notice of the site
    text: str  # the other notice's title, or the target as written
    scope: str | None
    day: str | None


@dataclass(frozen=True)
class Status:
    """A notice's status on the day judged on, the rule that gave it, since when, and the
    relation behind it: what its page's banner, the filters and the feeds show."""

    name: str  # one of STATUSES
    rule: str  # the rule that gave it
    since: str | None = None  # when it began
    by: Link | None = None  # the relation behind it


def judging_day(notices: Iterable[Notice], as_of: str | None) -> str:
    """The day statuses are judged on: `as_of` if given, else the newest date in the content
    (never the clock, so the same content always gives the same statuses)."""
    dates = [n.dated for n in notices if n.dated]
    return as_of or (max(dates)[:10] if dates else "")


@dataclass
class Lifecycle:
    """The site's relations, resolved, and each notice's status on `as_of`."""

    notices: list[Notice]
    as_of: str
    links: dict[str, list[Link]] = field(default_factory=dict)  # slug → its links, both ways
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not any(notice.relations for notice in self.notices):
            return  # nothing to resolve: a table of every notice's names would slow every build for nothing
        names: dict[str, Notice] = {}
        for notice in self.notices:
            for name in (notice.title, notice.doc_no, notice.index_no, notice.slug):
                if name:
                    names.setdefault(target_key(name), notice)
        for notice in self.notices:
            for relation in notice.relations:
                other = names.get(target_key(relation.target))
                day = relation_day(relation, notice)
                out, back = WORDING[relation.type]
                shown = other.title or relation.target if other else relation.target
                self.links.setdefault(notice.slug, []).append(
                    Link(relation.type, True, out, other, shown or "", relation.scope, day))
                if other is None:
                    if "relations" not in notice.inferred:  # a guess may name what the site lacks
                        message = _("{type} {target} names no notice of the site; shown as text").format(
                            type=relation.type, target=relation.target)
                        self.warnings.append(str(Problem(content_file(f"{notice.slug}.md"), message,
                                                         field="relations")))
                elif other is not notice:
                    self.links.setdefault(other.slug, []).append(
                        Link(relation.type, False, back, notice, notice.title or notice.slug, relation.scope, day))

    def without_notices(self) -> Lifecycle:
        """The relations as resolved and the day judged on, without the site's notices: all
        that `status` and `links_of` need, small enough to keep between builds (a lifecycle
        made of no notices resolves nothing, so the links are kept as they are)."""
        return replace(self, notices=[])

    def links_of(self, notice: Notice) -> list[Link]:
        """A notice's relations, both ways, as its page shows them."""
        return self.links.get(notice.slug, [])

    def status(self, notice: Notice) -> Status:
        """A notice's status on `as_of`: the first of STATUS_RULES that applies, else 有效."""
        for rule in STATUS_RULES:
            found = rule.applies(self, notice)
            if found is not None:
                return found
        return Status(IN_FORCE, IN_FORCE_RULE)

    def next_change(self) -> str | None:
        """The first day after `as_of` on which a status changes (for a scheduled rebuild):
        of the days a date or a relation could change one, the first on which one does."""
        days = {day[:10] for notice in self.notices for day in (notice.effective, _day_after(notice.expires))
                if day and day[:10] > self.as_of}
        days |= {link.day for links in self.links.values() for link in links
                 if link.type in STATUS_CHANGING and link.day and link.day > self.as_of}
        now = [self.status(notice).name for notice in self.notices]
        for day in sorted(days):
            later = Lifecycle(self.notices, day)
            if [later.status(notice).name for notice in self.notices] != now:
                return day
        return None


def _day_after(day: str | None) -> str | None:
    """A notice expires at the end of its 失效日期: the next day it is no longer in force."""
    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat() if day else None


def _incoming(types: Iterable[str], scoped: bool) -> Callable[[Lifecycle, Notice], Link | None]:
    def find(life: Lifecycle, notice: Notice) -> Link | None:
        return next((link for link in life.links_of(notice) if not link.outgoing and link.type in types
                     and bool(link.scope) == scoped and link.day is not None and link.day <= life.as_of), None)
    return find


@dataclass(frozen=True)
class StatusRule:
    """A rule of a notice's status: its name, which `gongkai status` gives as the reason,
    and the test that finds the status or None."""

    name: str
    applies: Callable[[Lifecycle, Notice], Status | None]


def _stated(life: Lifecycle, notice: Notice) -> Status | None:
    validity = notice.validity or ""
    return next((Status(status, STATED) for word, status in VALIDITY_WORDS if word in validity), None)


def _by(status: str, rule: str, find: Callable[[Lifecycle, Notice], Link | None]) -> StatusRule:
    def applies(life: Lifecycle, notice: Notice) -> Status | None:
        link = find(life, notice)
        return Status(status, rule, link.day, link) if link else None
    return StatusRule(rule, applies)


STATUS_RULES: tuple[StatusRule, ...] = (
    StatusRule(STATED, _stated),
    _by(REPEALED, "repealed or replaced by another notice", _incoming(("废止", "替代"), scoped=False)),
    _by(PARTLY, "parts repealed by another notice", _incoming(("废止",), scoped=True)),
    StatusRule(PAST_EXPIRY, lambda life, n: Status(EXPIRED, PAST_EXPIRY, _day_after(n.expires))
               if n.expires and n.expires[:10] < life.as_of else None),
    _by(AMENDED, "amended by another notice", _incoming(("修订",), scoped=False)),
    _by(AMENDED, "amended in part by another notice", _incoming(("修订",), scoped=True)),
    StatusRule(BEFORE_EFFECT, lambda life, n: Status(NOT_YET, BEFORE_EFFECT, n.effective)
               if n.effective and n.effective[:10] > life.as_of else None),
)
