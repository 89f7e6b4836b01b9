"""Is the site kept up to date? The home page and each column, by their newest notice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from builder.inspection.rules import Entry, Hit, Rule, Severity, Site
from builder.schema import LABEL
from builder.site_index import Group
from builder.urls import NOTICES

# Findings name the date by its label, as the pages and the inspection do.
PUBLISHED = LABEL["published"]
# A column page lists its notices by links to notices/<slug>/ (the nav's notices/ has no slug).
NOTICE_LINK = re.compile(rf'href="[^"]*{re.escape(NOTICES)}[^"/]+/"')


def published_day(entry: Entry) -> date | None:
    """The day a notice was published; a notice without one has never been published as far
    as an inspector can tell, so it counts as no update."""
    value = entry.notice.published
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _days(site: Site) -> dict[str, date]:
    """Each notice's publication day; a day after the check's is false (published_in_future
    names it) and counts as no update."""
    return {e.notice.slug: day for e in site.entries if (day := published_day(e)) and day <= site.as_of}


def home_not_updated(site: Site) -> Iterator[Hit]:
    """The site's newest notice older than inspection.home_days: the inspection fails a
    whole site whose home page goes two weeks without an update (单项否决)."""
    known = _days(site)
    days = {e.file: (known[e.notice.slug], e) for e in site.entries if e.notice.slug in known}
    limit = site.config.inspection.home_days
    if not site.content:
        return  # run outside a site's folder: only the built site is checked
    if not days:
        yield Hit("index.html", f"首页：没有一件文件有{PUBLISHED}，视为从未更新")
        return
    day, entry = max(days.values(), key=lambda pair: pair[0])
    age = (site.as_of - day).days
    if age > limit:
        yield Hit(entry.file, f"首页最新文件发布于 {day}，到检查日 {site.as_of} 已 {age} 天未更新（上限 {limit} 天）",
                  entry.line_of("published"))


def _columns(site: Site) -> Iterator[tuple[str, Group]]:
    for kind, groups in (("topics", site.index.topics), ("publishers", site.index.publishers)):
        for group in groups:
            yield kind, group


def _stale(site: Site) -> list[tuple[str, Group, date | None]]:
    days = _days(site)
    limit = site.config.inspection.column_days
    stale = []
    for kind, group in _columns(site):
        newest = max((days[n.slug] for n in group.notices if n.slug in days), default=None)
        if newest is None or (site.as_of - newest).days > limit:
            stale.append((kind, group, newest))
    return stale


def stale_column(site: Site) -> Iterator[Hit]:
    """A column (a topic's or a publisher's page) whose newest notice is older than
    inspection.column_days: a 栏目 left without updates is what inspectors look for, and too
    many of them fail the site."""
    limit = site.config.inspection.column_days
    for kind, group, newest in _stale(site):
        since = (f"最新文件发布于 {newest}，已 {(site.as_of - newest).days} 天未更新" if newest
                 else f"没有一件文件有{PUBLISHED}")
        yield Hit(f"{kind}/{group.slug}/", f"栏目「{group.name}」{since}（上限 {limit} 天）")


def too_many_stale_columns(site: Site) -> Iterator[Hit]:
    """More stale columns than inspection.stale_columns: the inspection fails a site with
    too many columns not updated (单项否决)."""
    stale, limit = _stale(site), site.config.inspection.stale_columns
    if len(stale) > limit:
        names = "、".join(group.name for _, group, _ in stale[:8]) + ("等" if len(stale) > 8 else "")
        yield Hit("index.html", f"{len(stale)} 个栏目长期未更新（上限 {limit} 个）：{names}")


def _empty(site: Site) -> list[str]:
    """Column pages of the built site that list no notice."""
    pages = []
    for kind in ("topics", "publishers"):
        for page in sorted((site.out / kind).glob("*/index.html")):
            try:
                html = page.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue  # the site check names a page it cannot read
            if not NOTICE_LINK.search(html):
                pages.append(f"{kind}/{page.parent.name}/")
    return pages


def empty_column(site: Site) -> Iterator[Hit]:
    """A column page of the built site that lists no notice: a 空白栏目 is marked against
    the site, and too many of them fail it."""
    for page in _empty(site):
        yield Hit(page, f"栏目页 {page} 没有列出任何文件")


def too_many_empty_columns(site: Site) -> Iterator[Hit]:
    """More empty column pages than inspection.empty_columns: 空白栏目 beyond the limit fail
    the site (单项否决)."""
    empty, limit = _empty(site), site.config.inspection.empty_columns
    if len(empty) > limit:
        yield Hit("index.html", f"{len(empty)} 个空白栏目（上限 {limit} 个）")


def undated(site: Site) -> Iterator[Hit]:
    """A notice without a 发布日期: an inspector cannot tell it was ever published, so it
    counts as no update, and a reader cannot tell how current it is."""
    for entry in site.entries:
        if published_day(entry) is None:
            yield Hit(entry.file, f"没有{PUBLISHED}：检查时视为未更新", entry.line_of("published"))


SOURCE = "《政府网站与政务新媒体检查指标》单项否决：网站不更新、栏目不更新"
RULES = (
    Rule("home_not_updated", Severity.FAIL, "首页长期未更新", home_not_updated,
         f"发布新文件，或核对最新文件的{PUBLISHED}（published）是否填写正确", SOURCE),
    Rule("too_many_stale_columns", Severity.FAIL, "长期未更新栏目过多", too_many_stale_columns,
         "为长期未更新的栏目补发文件，或在 site.yaml 中合并、撤下不再维护的主题", SOURCE),
    Rule("too_many_empty_columns", Severity.FAIL, "空白栏目过多", too_many_empty_columns,
         "为空白栏目补充文件，或撤下这些栏目", SOURCE),
    Rule("stale_column", Severity.NOTE, "栏目长期未更新", stale_column,
         f"为该栏目发布新文件；栏目已不再维护的，从{LABEL['tags']}表或{LABEL['publisher']}表中撤下", SOURCE),
    Rule("empty_column", Severity.NOTE, "空白栏目", empty_column, "为该栏目补充文件，或撤下该栏目", SOURCE),
    Rule("no_publication_date", Severity.NOTE, f"缺少{PUBLISHED}", undated,
         f"在文件头部填写{PUBLISHED}（published），按网站实际发布的日期", SOURCE),
)
