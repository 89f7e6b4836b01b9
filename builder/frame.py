"""The site's frame: what a notice's page and the feeds take from the rest of the site.

All of it comes from the notices' metadata, the configuration, the theme and gongkai's own
code: the notices' statuses and relations, the groups' slugs, the feeds and the notices they
show, the search index's shards. A build keeps its frame in its state, and the next build
whose only changes are to notices' bodies plans from it the edited notices' pages and the
feeds that show them, without reading or indexing the whole site (builder/incremental.py):
at 100,000 notices, reading and indexing them is most of a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from builder.config import SiteConfig
from builder.content import Cached
from builder.feeds import Change, Feed
from builder.keys import digest
from builder.lifecycle import CHANGES, Lifecycle, Status, judging_day
from builder.model import Notice
from builder.output import OWN_PAGES, Origin
from builder.search import Shard, plan_shards
from builder.site_index import CHINA, SiteIndex, notice_year
from builder.stamp import code_digest
from builder.urls import SECTIONS, group_page, notice_page, page_file
from builder.views import status_text

Summary = tuple[str, str | None]  # a notice's metadata digest and status: what a list shows of it


def site_key(config: SiteConfig, assets: dict[str, str]) -> str:
    """What every output may show: the configuration (title, footer, feed links) but not where
    the site is deployed, the static assets by their content's hash (every page links them),
    and gongkai's own code (which makes every output)."""
    return digest(repr(replace(config, deploy=())), sorted(assets.items()), code_digest())


def frame_key(site: str, template_keys: dict[str, str], drafts: bool) -> str:
    """What a frame holds under besides the notices' metadata: the site's key, the templates
    and whether drafts are built."""
    return digest(site, sorted(template_keys.items()), drafts)


def topic_origins(config: SiteConfig) -> dict[str, Origin]:
    """Where each topic's slug is set in site.yaml, for errors about the paths it makes."""
    return {topic.name: Origin("site.yaml", f"tags.vocabulary[{number}].slug")
            for number, topic in enumerate(config.tags.vocabulary)}


@dataclass(frozen=True)
class SiteFrame:
    """The site's frame, made under `key` from the metadata of the notices `summaries` holds."""

    key: str  # `frame_key`: a frame holds only while it is the same
    meta_key: str  # of all that lists and notice pages show besides each notice's own text
    lifecycle: Lifecycle  # the relations resolved and the day statuses are judged on
    summaries: dict[str, Summary]  # every notice of the site, drafts too
    topic_slugs: dict[str, str]
    publisher_slugs: dict[str, str]  # every name notices give → its agency's slug
    agencies: dict[str, str]  # every name notices give → its agency's name
    feeds: tuple[Feed, ...]  # the site's, then each group's
    feed_origins: dict[str, Origin]  # the page a topic's feed follows → where its slug is set
    shards: list[Shard]  # of the search index
    warnings: tuple[str, ...]

    @property
    def fallback(self) -> datetime:
        """The moment an Atom feed with no dated notice says it was updated: the day judged on."""
        return datetime.fromisoformat(self.lifecycle.as_of or "2000-01-01").replace(tzinfo=CHINA)

    def feeds_showing(self, slugs: set[str]) -> list[Feed]:
        """The feeds that show any of these notices."""
        return [feed for feed in self.feeds if any(notice.slug in slugs for notice in feed.notices)]


def site_frame(index: SiteIndex, cache: dict[str, Cached], config: SiteConfig, site: str,
               key: str) -> tuple[SiteFrame, dict[str, Status]]:
    """The frame of a site indexed whole, and every notice's status (the open data shows them)."""
    as_of = judging_day(index.notices, config.as_of)
    lifecycle = Lifecycle(index.notices, as_of)
    statuses = {notice.slug: lifecycle.status(notice) for notice in index.notices}
    # What a list may show of a notice: its metadata's digest, made when it was read, and its status.
    summaries = {slug: (cached.meta_digest, getattr(statuses.get(slug), "name", None))
                 for slug, cached in cache.items()}
    # All that the lists and the notice pages show besides each notice's own text and their
    # templates: while it stays the same, a body edit plans that notice's page and its feeds.
    meta_key = digest(site, [(n.slug, summaries[n.slug]) for n in index.notices],
                      sorted(index.topic_slugs.items()), sorted(index.publisher_slugs.items()))
    feeds = _Feeds(config, statuses, as_of, index.notices)
    origins = topic_origins(config)
    group_feeds = [
        feeds.of(f"{config.title} · {label}：{group.name}", f"{label}为{group.name}的文件",
                 group_page(kind, group.slug), group.notices)
        for kind, groups, label in (("topics", index.topics, SECTIONS["topics"].member),
                                    ("publishers", index.publishers, config.publisher_label))
        for group in groups]
    years: dict[str, list[str]] = {}
    for notice in index.notices if config.search else ():
        years.setdefault(notice_year(notice), []).append(page_file(notice_page(notice.slug)))
    frame = SiteFrame(
        key, meta_key, lifecycle.without_notices(), summaries, index.topic_slugs, index.publisher_slugs,
        index.agencies, (feeds.of(config.title, f"{config.title}发布的全部文件", "", index.notices), *group_feeds),
        {group_page("topics", group.slug): origins.get(group.name, OWN_PAGES) for group in index.topics},
        plan_shards(years), (*index.warnings, *lifecycle.warnings))
    return frame, statuses


class _Feeds:
    """Feeds of a site's notices, each with the status changes of its notices."""

    def __init__(self, config: SiteConfig, statuses: dict[str, Status], as_of: str, notices: list[Notice]) -> None:
        self.limit = config.feeds.limit
        # The feeds' news of status changes (a repeal, an expiry): few, and found once for every feed.
        self.changes = {n.slug: Change(n, status.name, status.since, status_text(n, status)) for n in notices
                        if (status := statuses[n.slug]).since and status.name in CHANGES and status.since <= as_of}

    def of(self, title: str, description: str, page: str, notices: tuple[Notice, ...] | list[Notice]) -> Feed:
        """A feed of these notices (the newest feeds.limit of them) and of their status
        changes, newest first."""
        changed = self.changes
        changes = sorted((changed[n.slug] for n in notices if n.slug in changed) if changed else (),
                         key=lambda change: (change.day, change.notice.slug), reverse=True)
        return Feed(title, page, description, tuple(notices[:self.limit]), tuple(changes[:self.limit]))
