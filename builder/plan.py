"""The plan of a site: every output file with the key of what it depends on, and how to
render it. Rendering happens later (builder/output.py), and only for outputs whose key
changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment

from builder.config import SiteConfig
from builder.content import Loaded
from builder.errors import GongkaiError, Problem
from builder.feeds import Feed, atom, rss
from builder.frame import SiteFrame, site_key, topic_origins
from builder.keys import Fingerprint, digest
from builder.lifecycle import STANDING, Link, Status
from builder.model import Notice
from builder.opendata import SCHEMA_NAME, open_data, schema_text
from builder.output import OWN_PAGES, Origin, Output
from builder.paths import attachment_problem
from builder.site_index import Group, SiteIndex, pages_of
from builder.sitemap import Entry, plan_sitemaps
from builder.urls import (
    CONTENT_NOTICES,
    NOTICES,
    SEARCH,
    SECTIONS,
    content_file,
    group_page,
    notice_file,
    notice_page,
    numbered_page,
    page_file,
)
from builder.views import NoticeView, book, cn_date, keep_end, notice_view

NOT_FOUND = "404.html"


@dataclass(frozen=True)
class Part:
    """Outputs planned together. Their keys are made from `key` alone, so a build that finds
    a part's key as the last build left it takes that build's keys for the part instead of
    planning it again."""

    name: str
    key: Any
    plan: Callable[[], list[Output]]
    origin: Origin = OWN_PAGES  # what its outputs come from, for errors about a part not planned again


@dataclass(frozen=True)
class NoticeSource:
    """What a notice's page shows, made into its view (builder/views.py) only when the page is
    rendered: the notice, its file's digest (the page shows its body), its status and
    relations, and the states of its attachment files."""

    notice: Notice
    digest: str
    status: Status
    links: tuple[Link, ...]
    files: tuple[tuple[str, int, int], ...]


class SitePlan:
    """What the site is made of, from its notices, configuration and theme, in parts: one per
    notice (its page and attachment files), the lists (every page and file made from the
    notices' metadata alone) and one per feed (which shows its notices' text). A plan of
    body edits (builder/incremental.py) has no `index`: it plans from the site's `frame`
    the edited notices and their feeds alone."""

    def __init__(self, root: Path, config: SiteConfig, env: Environment, loaded: Loaded, assets: dict[str, str],
                 template_keys: dict[str, str], frame: SiteFrame, index: SiteIndex | None = None,
                 statuses: dict[str, Status] | None = None) -> None:
        self.root, self.config, self.env, self.loaded, self.frame = root, config, env, loaded, frame
        self.assets, self.template_keys = assets, template_keys
        self.index, self.statuses = index, statuses or {}  # of the whole site, when indexed
        self.site_key = site_key(config, assets)
        self.feeds = {feed.page: feed for feed in frame.feeds}
        # A page's key: what its template is given. A notice in a list shows its metadata and
        # status; a group, the index and a feed are shown by many pages, so digested once.
        self.fingerprint = Fingerprint({Notice: lambda _, notice: frame.summaries[notice.slug]},
                                       memo=(Group, SiteIndex, Feed))
        self.topic_origins = topic_origins(config)

    @property
    def site_feed(self) -> Feed:
        """The feed of every notice of the site."""
        return self.feeds[""]

    def notice_view(self, source: NoticeSource) -> NoticeView:
        """What a notice's page shows of it, its body rendered: called when the page is
        rendered, never while planning."""
        notice = source.notice
        return notice_view(notice, self.loaded.body(notice), self.config, self.root / CONTENT_NOTICES,
                           source.status, list(source.links))

    def status_name(self, slug: str) -> str | None:
        """A notice's status by its slug, for templates; None for a slug the site lacks."""
        summary = self.frame.summaries.get(slug)
        return summary[1] if summary else None

    def content_file(self, notice: Notice) -> str:
        """The notice's content file as its errors name it."""
        return content_file(self.loaded.paths[notice.slug].rpartition("/")[2])

    def group_origin(self, kind: str, group: Group) -> Origin:
        """What a group's pages come from, for errors: a topic's slug set in site.yaml, else
        gongkai's own pages."""
        return self.topic_origins.get(group.name, OWN_PAGES) if kind == "topics" else OWN_PAGES

    def theme_origin(self, path: Path) -> Origin:
        """A theme file as errors name it: its path in the site, or gongkai's own pages for
        the default theme's."""
        return Origin(path.relative_to(self.root).as_posix()) if path.is_relative_to(self.root) else OWN_PAGES

    def add(self, path: str, key: Any, make: Callable[[], str | bytes], origin: Origin = OWN_PAGES) -> Output:
        """An output keyed on `key` (what it shows), its path and the site's key, so a change
        to the configuration, the assets or gongkai's code renders it again."""
        return Output(path, digest(self.site_key, path, key), make, origin=origin)

    def page(self, template: str, path: str, feed: Feed | None = None, origin: Origin = OWN_PAGES,
             **context: Any) -> Output:
        """One page, keyed on its template and the fingerprint of all it is given besides
        what every page is (the site, the code: `add`); every page offers the site's feed,
        a topic or publisher page its own too."""
        feeds = [self.site_feed.link, feed.link] if feed else [self.site_feed.link]
        context = {**context, "feeds": feeds, "own_feed": feed.link if feed else None}
        return self.add(page_file(path), (self.template_keys[template], self.fingerprint(context)),
                        partial(self.render_page, template, path, context), origin)

    def render_page(self, template: str, path: str, context: dict[str, Any]) -> str:
        """A page's HTML: its template rendered with what every page may use (the site,
        links relative to the page, dates and statuses as pages print them)."""
        if isinstance(context.get("view"), NoticeSource):
            # A notice's view renders its Markdown: done here, when the page is rendered,
            # never while planning, so a skipped page costs nothing.
            context = {**context, "view": self.notice_view(context["view"])}
        url = partial(self.link, path)
        return self.env.get_template(template).render(
            site=self.config, url=url, cn_date=cn_date, keep_end=keep_end, standing=STANDING.get,
            status_name=self.status_name, book=book, page_path=path, notice_page=notice_page, group_page=group_page,
            asset=lambda name: f"{url('static/' + name)}?v={self.assets[name]}",
            canonical=self.config.absolute(path), **context)

    def link(self, page: str, target: str = "") -> str:
        """A link from one site path to another. Relative, so the site works from any folder,
        host or sub-path; 404.html is served at any depth, so it links from the base path."""
        if page == NOT_FOUND:
            return self.config.base_path + target
        return relative_link(page, target)

    def listing(self, template: str, base: str, title: str, notices: list, origin: Origin = OWN_PAGES,
                **context: Any) -> list[Output]:
        """A list of notices over as many pages as `page_size` needs."""
        chunks = pages_of(notices, self.config.page_size)
        outputs = []
        for number, chunk in enumerate(chunks, start=1):
            path = numbered_page(base, number)
            pager = {"number": number, "count": len(chunks),
                     "previous": numbered_page(base, number - 1) if number > 1 else None,
                     "next": numbered_page(base, number + 1) if number < len(chunks) else None}
            outputs.append(self.page(template, path, origin=origin, title=title, notices=chunk, pager=pager,
                                     total=len(notices), **context))
        return outputs

    def parts(self, statics: dict[str, Path]) -> list[Part]:
        """The whole site's plan in parts, each with the key it is planned again on: the
        lists, each feed and each notice."""
        assert self.index is not None, "a plan of body edits has no lists"
        lists_key = (self.frame.meta_key, sorted(self.template_keys.items()))
        notices = self.notice_parts(self.index.notices)
        feeds = self.feed_parts(self.frame.feeds, {part.name: part.key for part in notices})
        return [Part("lists", lists_key, partial(self.plan_lists, statics)), *feeds, *notices]

    def feed_parts(self, feeds: Iterable[Feed], notice_keys: Mapping[str, Any]) -> list[Part]:
        """A part for each feed, keyed on the keys of its notices' parts (`notice_keys`, by
        part name): a feed shows its notices' text too, not only what a list shows of them,
        so it is planned again with any of them."""
        parts = []
        for feed in feeds:
            key = (self.frame.meta_key, [notice_keys[notice_page(n.slug)] for n in feed.notices])
            parts.append(Part(feed.rss_path, key, partial(self.plan_feed, feed, key),
                              self.frame.feed_origins.get(feed.page, OWN_PAGES)))
        return parts

    def notice_parts(self, notices: Iterable[Notice]) -> list[Part]:
        """A part for each notice. An attachment file a site may not publish is refused
        here, before anything is rendered."""
        template = self.template_keys["notice.html"]
        refused: list[Problem] = []
        parts = []
        for notice in notices:
            files, stats = self.attachment_files(notice, refused) if notice.attachments else ((), ())
            parts.append(Part(notice_page(notice.slug),
                              (self.frame.meta_key, template, self.loaded.digest(notice), stats),
                              partial(self.plan_notice, notice, files, stats), Origin(self.content_file(notice))))
        if refused:
            raise GongkaiError(*refused)
        return parts

    def attachment_files(self, notice: Notice, refused: list[Problem]) -> tuple[tuple[tuple[int, Path], ...],
                                                                                tuple[tuple[str, int, int], ...]]:
        """A notice's attachment files, by their number among its attachments, with their
        states (a page links them, and they are copied beside it); a name the site may not
        publish goes to `refused`."""
        numbered = [(number, a.file) for number, a in enumerate(notice.attachments) if a.file]
        refused += [Problem(self.content_file(notice), failed, field=f"attachments[{number}].file")
                    for number, name in numbered for failed in (attachment_problem(name),) if failed]
        files = tuple((number, self.root / CONTENT_NOTICES / name) for number, name in numbered)
        return files, tuple((f.name, stat.st_size, stat.st_mtime_ns) for _, f in files for stat in (f.stat(),))

    def plan_notice(self, notice: Notice, files: tuple[tuple[int, Path], ...],
                    stats: tuple[tuple[str, int, int], ...]) -> list[Output]:
        """A notice's outputs: its page, and its attachment files copied beside it."""
        frame, lifecycle = self.frame, self.frame.lifecycle
        topics = [(t, frame.topic_slugs[t]) for t in notice.tags]
        publisher_slug = frame.publisher_slugs.get(notice.publisher or "")
        agency = frame.agencies.get(notice.publisher or "")
        view = NoticeSource(notice, self.loaded.digest(notice), lifecycle.status(notice),
                            tuple(lifecycle.links_of(notice)), stats)
        origin = self.content_file(notice)
        outputs = [self.page("notice.html", notice_page(notice.slug), origin=Origin(origin, "its page"),
                             title=notice.title, view=view, topics=topics, publisher_slug=publisher_slug,
                             agency=agency)]
        outputs += [Output(notice_file(notice.slug, file.name), digest(stat), source=file,
                           origin=Origin(origin, f"attachments[{number}].file"))
                    for (number, file), stat in zip(files, stats, strict=True)]
        return outputs

    def plan_lists(self, statics: dict[str, Path]) -> list[Output]:
        """Every output made of the notices' metadata alone: static assets, the home page,
        lists, group pages, 订阅, 404 and 搜索, sitemaps, robots.txt and the open data."""
        index = self.index
        assert index is not None, "a plan of body edits has no lists"
        outputs = [Output(f"static/{name}", self.assets[name], source=path, origin=self.theme_origin(path))
                   for name, path in statics.items()]
        home = index.notices[: self.config.home_count]
        outputs.append(self.page("home.html", "", title=self.config.title, notices=home, index=index))
        outputs += self.listing("list.html", NOTICES, SECTIONS["notices"].title, index.notices)
        for kind, groups in index.kinds():
            section = SECTIONS[kind]
            outputs.append(self.page("groups.html", section.path, title=section.title, kind=kind, groups=groups))
            for group in groups:
                name = "日期不详" if group.slug == "undated" else group.name + ("年" if kind == "archives" else "")
                outputs += self.listing("list.html", group_page(kind, group.slug), name, list(group.notices),
                                        self.group_origin(kind, group), kind=kind, group=group.link,
                                        feed=self.feeds.get(group_page(kind, group.slug)))
        all_feeds = list(self.frame.feeds)
        subscribe = SECTIONS["subscribe"]
        outputs.append(self.page("subscribe.html", subscribe.path, title=subscribe.title, all_feeds=all_feeds))
        outputs.append(self.page("404.html", NOT_FOUND, title="页面未找到"))
        if self.config.search:
            names = [shard.name for shard in self.frame.shards]
            outputs.append(self.page("search.html", SEARCH, title=SECTIONS["search"].title, index=index,
                                     shards=names))
        # Lists of every notice show its metadata (its date): a body edit leaves them alone.
        for sitemap in plan_sitemaps(self.sitemap_entries(), self.config.sitemap_max_urls, self.config.absolute):
            outputs.append(self.add(sitemap.name, (sitemap.entries, sitemap.parts),
                                    partial(sitemap.render, self.config.absolute)))
        robots = f"User-agent: *\nAllow: /\nSitemap: {self.config.absolute('sitemap.xml')}\n"
        outputs.append(self.add("robots.txt", robots, lambda: robots))
        outputs.append(self.add("notices.json", [(n.slug, self.frame.summaries[n.slug]) for n in index.notices],
                                partial(open_data, index.notices, self.config, self.statuses)))
        schema = schema_text()
        outputs.append(self.add(SCHEMA_NAME, schema, lambda: schema))
        return outputs

    def plan_feed(self, feed: Feed, notices_key: Any) -> list[Output]:
        """A feed's RSS and Atom files; `notices_key`: its part's, of what its notices show."""
        static = self.link(feed.page, "static/")  # a feed sits in its page's folder
        origin = self.frame.feed_origins.get(feed.page, OWN_PAGES)
        key = (self.fingerprint(feed), notices_key)
        fallback = self.frame.fallback
        return [self.add(feed.rss_path, key, partial(rss, feed, self.config, self.loaded, static), origin),
                self.add(feed.atom_path, (key, fallback), partial(atom, feed, self.config, self.loaded, static,
                                                                  fallback), origin)]

    def sitemap_entries(self) -> list[Entry]:
        """The pages the sitemap lists: the home, list and 订阅 pages, every notice with its
        day, and every group."""
        entries = [Entry(SECTIONS[name].path, None) for name in ("home", "notices", "subscribe")]
        index = self.index
        assert index is not None, "a plan of body edits has no sitemap"
        entries += [Entry(notice_page(n.slug), (n.dated or "")[:10] or None) for n in index.notices]
        entries += [Entry(group_page(kind, g.slug), None) for kind, groups in index.kinds() for g in groups]
        return entries


def relative_link(page: str, target: str) -> str:
    """notices/a/ → topics/b/ gives ../../topics/b/; both are site paths, folders end in /."""
    here = page.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:]) or "./"
