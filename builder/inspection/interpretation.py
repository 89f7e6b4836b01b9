"""政策解读: each 行政规范性文件 should have one, published with it and linked to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from builder.inspection.rules import Entry, Hit, Rule, Severity, Site
from builder.schema import LABEL

POLICY = "规范性文件"
INTERPRETATION = "解读"
QUOTED = re.compile(r"《([^》]{4,})》")
MIN_NAME = 4  # shorter names (通知, 办法) would match any interpretation


def _fields(entry: Entry) -> list[str]:
    notice = entry.notice
    return [value for value in (notice.doc_type, notice.category, *notice.extra.values()) if value]


def is_policy(entry: Entry) -> bool:
    """Whether a notice is a 行政规范性文件 (its 文种, category or another field says
    规范性文件): the kind that must be published with its 政策解读."""
    return not is_interpretation(entry) and any(POLICY in value for value in _fields(entry))


def is_interpretation(entry: Entry) -> bool:
    """Whether a notice is a 政策解读: 解读 in its title or in one of its fields."""
    return INTERPRETATION in (entry.notice.title or "") or any(INTERPRETATION in value for value in _fields(entry))


def _part(item: Any, key: str) -> str:
    """A relation's type or target, from the model's Relation or a plain mapping; relations
    are newer than this rule, so every shape is read with care."""
    value = item.get(key) if isinstance(item, dict) else getattr(item, key, None)
    return value if isinstance(value, str) else ""


def _names(entry: Entry) -> set[str]:
    """What an interpretation may call a policy by: its title, the document its title
    quotes (关于印发《X》的通知 → X), its 发文字号, 索引号 and address."""
    notice = entry.notice
    names = {notice.title or "", *QUOTED.findall(notice.title or ""), notice.doc_no or "", notice.index_no or "",
             notice.slug}
    return {name for name in names if len(name) >= MIN_NAME}


def _explained(site: Site) -> tuple[list[Entry], set[str]]:
    """The site's policies, and the slugs of those an interpretation names (by a relation
    where there are relations, else in its title or text)."""
    policies = [entry for entry in site.entries if is_policy(entry)]
    readings = [entry for entry in site.entries if is_interpretation(entry)]
    explained = set()
    for policy in policies:
        names = _names(policy)
        for reading in readings:
            targets = {_part(item, "target") for item in getattr(reading.notice, "relations", None) or []
                       if INTERPRETATION in _part(item, "type")}
            text = (reading.notice.title or "") + reading.body
            if targets & names or any(name in text for name in names if name != policy.notice.slug):
                explained.add(policy.notice.slug)
                break
    return policies, explained


def policy_without_interpretation(site: Site) -> Iterator[Hit]:
    """A 规范性文件 that no 政策解读 of the site names: the inspection expects each policy
    to be published with its interpretation and linked to it. Each finding gives the site's
    share of policies interpreted, the figure inspectors look at."""
    policies, explained = _explained(site)
    if not policies:
        return
    share = f"本站 {len(policies)} 件规范性文件中 {len(explained)} 件有解读（{len(explained) / len(policies):.0%}）"
    for entry in policies:
        if entry.notice.slug not in explained:
            yield Hit(entry.file, f"《{entry.notice.title}》没有关联的政策解读；{share}", entry.line_of("title"))


RULES = (
    Rule("policy_without_interpretation", Severity.NOTE, "规范性文件缺少政策解读", policy_without_interpretation,
         f"发布该文件的政策解读，在解读的标题或正文中写明文件名称或{LABEL['doc_no']}（或在其 relations 中写 解读）",
         "《政府网站与政务新媒体检查指标》政策解读：解读材料与政策文件关联"),
)
