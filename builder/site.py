"""`gongkai build`: content/ + theme/ + site.yaml → public/.

The build plans every output with a key of what it depends on, then renders only those
whose key changed (all of them, across processes, the first time); see builder/output.py
for how they reach the output folder. No clock and no unordered iteration reaches the
output: the same input gives the same bytes, whether built at once or bit by bit.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError, TemplateSyntaxError, meta
from lxml import etree

from builder import __version__
from builder.config import SiteConfig
from builder.content import Loaded, load_notices
from builder.errors import GongkaiError, Problem
from builder.feeds import Feed, atom, rss
from builder.model import Notice
from builder.output import Output, digest, move_in, render, swap_in
from builder.pages import CHINA, SiteIndex, index_site, notice_year, pages_of
from builder.record import FORMAT, load_record, record_file, save_content, save_record
from builder.render import theme_environment
from builder.search import SEARCH_DIR, Shard, engine_version, plan_shards, update_index
from builder.stamp import file_states, inputs_digest, settled_state, tree_state, unchanged, write_stamp
from builder.views import NoticeView, cn_date, notice_view

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "theme"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NOT_FOUND = "404.html"


@dataclass(frozen=True)
class BuildResult:
    written: int
    skipped: int
    removed: int


def _static_files(site_theme: Path) -> dict[str, Path]:
    """Static assets by name; the site's own theme wins over the default."""
    files: dict[str, Path] = {}
    for theme in (DEFAULT_THEME, site_theme):
        static = theme / "static"
        if static.is_dir():
            files.update({p.relative_to(static).as_posix(): p for p in sorted(static.rglob("*")) if p.is_file()})
    return dict(sorted(files.items()))


def _template_problem(err: TemplateError) -> Problem:
    if isinstance(err, TemplateSyntaxError):
        return Problem(err.filename or err.name or "theme", err.message or str(err), err.lineno, "template")
    return Problem("theme", str(err), field="template")


class _Site:
    """The plan of a site: every output file with the key of what it depends on, and how to
    render it. Rendering happens later, and only for outputs whose key changed."""

    def __init__(self, root: Path, config: SiteConfig, env: Environment, index: SiteIndex, loaded: Loaded,
                 assets: dict[str, str], template_keys: dict[str, str]) -> None:
        self.root, self.config, self.env, self.index, self.loaded = root, config, env, index, loaded
        self.assets, self.template_keys = assets, template_keys
        # What a list may show of a notice, for the keys of list pages: its metadata's digest,
        # made when it was read (a notice is in about eight lists: one lookup each).
        self.summaries = {slug: cached.meta_digest for slug, cached in loaded.cache.items()}
        self.outputs: list[Output] = []
        self.shards: list[Shard] = []  # of the search index, once planned
        # Every output may show the configuration (title, footer, feed links), but not where
        # the site is deployed; every page links the static assets by their content's hash.
        # A page also shows its templates (see `page`).
        self.site_key = digest(repr(replace(config, deploy=())), sorted(assets.items()), __version__)
        dates = [n.published or n.written for n in index.notices if n.published or n.written]
        self.as_of = max(dates)[:10] if dates else ""  # the newest date in the content, never the clock
        self.site_feed = self.feed(config.title, f"{config.title}发布的全部文件", "", index.notices)
        self.group_feeds = {
            (kind, group.slug): self.feed(f"{config.title} · {label}：{group.name}", f"{label}为{group.name}的文件",
                                          f"{kind}/{group.slug}/", group.notices)
            for kind, groups, label in (("topics", index.topics, "主题"),
                                        ("publishers", index.publishers, config.publisher_label))
            for group in groups}

    def feed(self, title: str, description: str, page: str, notices: Any) -> Feed:
        return Feed(title, description, page, tuple(notices[: self.config.feeds.limit]))

    def notice_view(self, notice: Notice) -> NoticeView:
        return notice_view(notice, self.loaded.body(notice), self.config, self.root / "content" / "notices",
                           self.as_of)

    def add(self, path: str, key: Any, make: Callable[[], str | bytes]) -> None:
        self.outputs.append(Output(path, digest(self.site_key, path, key), make))

    def page(self, template: str, path: str, key: Any, feed: Feed | None = None, **context: Any) -> None:
        """One page; every page offers the site's feed, a topic or publisher page its own too."""
        self.add(f"{path}index.html" if path.endswith("/") or not path else path, (self.template_keys[template], key),
                 partial(self.render_page, template, path, feed, context))

    def render_page(self, template: str, path: str, feed: Feed | None, context: dict[str, Any]) -> str:
        if "view" in context and callable(context["view"]):
            # A notice's view renders its Markdown: done here, when the page is rendered,
            # never while planning, so a skipped page costs nothing.
            context = {**context, "view": context["view"]()}
        url = partial(self.link, path)
        return self.env.get_template(template).render(
            site=self.config, url=url, cn_date=cn_date, page_path=path,
            feeds=[self.site_feed, feed] if feed else [self.site_feed], own_feed=feed,
            asset=lambda name: f"{url('static/' + name)}?v={self.assets[name]}",
            canonical=self.config.absolute(path), **context)

    def link(self, page: str, target: str = "") -> str:
        """A link from one site path to another. Relative, so the site works from any folder,
        host or sub-path; 404.html is served at any depth, so it links from the base path."""
        if page == NOT_FOUND:
            return self.config.base_path + target
        return relative_link(page, target)

    def listing(self, template: str, base: str, title: str, notices: list, **context: Any) -> None:
        """A list of notices over as many pages as `page_size` needs."""
        chunks = pages_of(notices, self.config.page_size)
        for number, chunk in enumerate(chunks, start=1):
            path = base if number == 1 else f"{base}page/{number}/"
            pager = {"number": number, "count": len(chunks),
                     "previous": None if number == 1 else (base if number == 2 else f"{base}page/{number - 1}/"),
                     "next": f"{base}page/{number + 1}/" if number < len(chunks) else None}
            key = ([self.summaries[n.slug] for n in chunk], pager, len(notices), title, context.get("kind"),
                   getattr(context.get("feed"), "title", None))
            self.page(template, path, key, title=title, notices=chunk, pager=pager, total=len(notices), **context)

    def plan(self, statics: dict[str, Path]) -> list[Output]:
        index, content_notices = self.index, self.root / "content" / "notices"
        for name, path in statics.items():
            self.outputs.append(Output(f"static/{name}", self.assets[name], source=path))
        for notice in index.notices:
            topics = [(t, index.topic_slugs[t]) for t in notice.tags]
            publisher_slug = index.publisher_slugs.get(notice.publisher or "")
            files = [content_notices / a.file for a in notice.attachments if a.file]
            stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]
            key = (self.loaded.digest(notice), topics, publisher_slug, stats,
                   self.as_of if notice.expires else None)
            view = partial(self.notice_view, notice)
            self.page("notice.html", f"notices/{notice.slug}/", key, title=notice.title, view=view, topics=topics,
                      publisher_slug=publisher_slug)
            for file, stat in zip(files, stats, strict=True):
                self.outputs.append(Output(f"notices/{notice.slug}/{file.name}", digest(stat), source=file))
        groups_key = [(kind, [(g.name, g.slug, len(g.notices)) for g in groups]) for kind, groups in
                      (("topics", index.topics), ("publishers", index.publishers), ("archives", index.years))]
        home = index.notices[: self.config.home_count]
        self.page("home.html", "", ([self.summaries[n.slug] for n in home], groups_key, len(index.notices)),
                  title=self.config.title, notices=home, index=index)
        self.listing("list.html", "notices/", "全部文件", index.notices)
        for kind, groups, title in (("topics", index.topics, "主题分类"), ("publishers", index.publishers, "发布机构"),
                                    ("archives", index.years, "年度归档")):
            self.page("groups.html", f"{kind}/", [(g.name, g.slug, len(g.notices)) for g in groups],
                      title=title, kind=kind, groups=groups)
            for group in groups:
                name = "日期不详" if group.slug == "undated" else group.name + ("年" if kind == "archives" else "")
                self.listing("list.html", f"{kind}/{group.slug}/", name, list(group.notices), kind=kind, group=group,
                             feed=self.group_feeds.get((kind, group.slug)))
        all_feeds = [self.site_feed, *self.group_feeds.values()]
        self.page("subscribe.html", "subscribe/", [(f.title, f.page, len(f.notices)) for f in all_feeds],
                  title="订阅", all_feeds=all_feeds)
        self.page("404.html", NOT_FOUND, None, title="页面未找到")
        if self.config.search:
            years: dict[str, list[str]] = {}
            for notice in index.notices:
                years.setdefault(notice_year(notice), []).append(f"notices/{notice.slug}/index.html")
            self.shards = plan_shards(years)
            names = [shard.name for shard in self.shards]
            self.page("search.html", "search/", (groups_key, names), title="搜索", index=index, shards=names)
        fallback = datetime.fromisoformat(self.as_of or "2000-01-01").replace(tzinfo=CHINA)
        for feed in all_feeds:
            static = self.link(feed.page, "static/")  # a feed sits in its page's folder
            items = [(n.slug, self.loaded.digest(n), n.tags) for n in feed.notices]
            self.add(feed.rss_path, (feed.title, feed.description, items),
                     partial(rss, feed, self.config, self.loaded, static))
            self.add(feed.atom_path, (feed.title, feed.description, items, fallback),
                     partial(atom, feed, self.config, self.loaded, static, fallback))
        # Lists of every notice show its metadata (its date): a body edit leaves them alone.
        dated = [(n.slug, (n.published or n.written or "")[:10]) for n in index.notices]
        self.add("sitemap.xml", (dated, groups_key), self.sitemap)
        robots = f"User-agent: *\nAllow: /\nSitemap: {self.config.absolute('sitemap.xml')}\n"
        self.add("robots.txt", robots, lambda: robots)
        self.add("notices.json", [(n.slug, self.summaries[n.slug]) for n in index.notices], self.open_data)
        return self.outputs

    def sitemap(self) -> bytes:
        urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
        entries = [("", None), ("notices/", None), ("subscribe/", None)]
        entries += [(f"notices/{n.slug}/", (n.published or n.written or "")[:10] or None) for n in self.index.notices]
        entries += [(f"{kind}/{g.slug}/", None) for kind, groups in
                    (("topics", self.index.topics), ("publishers", self.index.publishers),
                     ("archives", self.index.years)) for g in groups]
        for path, lastmod in entries:
            url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = self.config.absolute(path)
            if lastmod:
                etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
        return etree.tostring(urlset, encoding="utf-8", xml_declaration=True, pretty_print=True)

    def open_data(self) -> str:
        """Every notice's metadata, one per line: readable, and written by json's C encoder
        (an `indent` would make it fall back to the pure-Python one, ten times slower)."""
        records = (json.dumps({"url": self.config.absolute(f"notices/{n.slug}/"), "slug": n.slug,
                               **n.front_matter()}, ensure_ascii=False) for n in self.index.notices)
        return "[\n" + ",\n".join(records) + "\n]\n"


def relative_link(page: str, target: str) -> str:
    """notices/a/ → topics/b/ gives ../../topics/b/; both are site paths, folders end in /."""
    here = page.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:]) or "./"


def _theme_keys(env: Environment, known: str | None, known_keys: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A digest of every template the site can use, and one for each template of itself and
    the templates it extends, includes or imports: a page is rendered again when one of
    those changes, not when any template does. A changed theme is compiled whole first, so
    a template error is reported before anything is rendered."""
    names = sorted(env.list_templates())
    sources = {name: env.loader.get_source(env, name)[:2] for name in names}  # type: ignore[union-attr]
    whole = digest(sorted(sources.items()))
    if whole == known and known_keys.keys() == sources.keys():
        return whole, known_keys
    uses: dict[str, set[str]] = {}
    for name in names:
        env.get_template(name)
        found = list(meta.find_referenced_templates(env.parse(sources[name][0], name)))
        uses[name] = set(names) if None in found else set(found)  # a name made at render time: any

    def closure(name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(uses.get(current, ()))
        return seen

    return whole, {name: digest([(used, sources.get(used)) for used in sorted(closure(name))]) for name in names}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading the build record and planning make a few hundred thousand objects and no
    garbage cycles; the cycle collector would walk all of them again and again (a fifth of
    a rebuild's time at 5,000 notices). They live to the end of the build, so they are then
    frozen: later collections, and forked renderers, leave them alone. A long-running
    caller's next build unfreezes the last one's."""
    enabled = gc.isenabled()
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def refresh_search_index(out: Path, memory: dict[str, Any], lock: threading.Lock, jobs: int | None = None) -> None:
    """The search step of builds made with `defer_search`, run beside them: a preview shows
    new pages at once and brings the index up to date after, while the next build goes on.
    `lock` guards `memory`, which those builds update; indexing runs without it."""
    with lock:
        shards, wanted, done = (memory.get(key, empty) for key, empty in
                                (("search_shards", []), ("search_wanted", {}), ("search", {})))
    indexed = update_index(out.resolve(), shards, wanted, done, jobs or os.cpu_count() or 1, background=True)
    with lock:
        memory["search"] = indexed


def _page_hashes(shards: list[Shard], staged: dict[str, Path], out: Path, known: dict[str, str]) -> dict[str, str]:
    """A digest of each indexed page's bytes: a shard is reindexed when its pages' bytes
    change, not whenever their keys do (a template edit that leaves them alone costs no
    reindexing)."""
    hashes = {}
    for page in (page for shard in shards for page in shard.pages):
        if page in staged or page not in known:
            hashes[page] = hashlib.sha1((staged.get(page) or out / page).read_bytes()).hexdigest()
        else:
            hashes[page] = known[page]
    return hashes


def build_site(root: Path, config: SiteConfig, out: Path, drafts: bool = False,
               jobs: int | None = None, memory: dict[str, Any] | None = None,
               defer_search: bool = False) -> BuildResult:
    """Build into `out`, rendering only what changed since the last build into it. The
    record of that build is kept in .gongkai-cache/, or in `memory` by a long-running caller."""
    out = out.resolve()
    stamp_file = record_file(root, out).with_suffix(".stamp")
    if memory is None:  # a long-running caller knows what changed; a command checks the stamp
        settings = (FORMAT, repr(config), drafts, str(out), engine_version() if config.search else None)
        inputs = inputs_digest([root / "content", root / "theme", DEFAULT_THEME], settings)
        count = unchanged(stamp_file, inputs, out)
        if count is not None:
            return BuildResult(0, count, 0)
    with _collector_paused():
        cache = memory if memory is not None else load_record(root, out)
        jobs = jobs or os.cpu_count() or 1
        loaded = load_notices(root / "content", cache.get("content"), jobs)
        notices = [n for n in loaded.notices if drafts or not n.draft]
        slugs = cache.get("slugs", {})
        index = index_site(notices, config, slugs)
        env = theme_environment(root / "theme", DEFAULT_THEME)
        statics = _static_files(root / "theme")
        assets = {name: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for name, path in statics.items()}
        try:
            theme_key, template_keys = _theme_keys(env, cache.get("theme"), cache.get("template_keys", {}))
            if memory is not None and memory.get("theme") == theme_key and "env" in memory:
                env = memory["env"]  # already compiled: a long-running caller reuses it
            site = _Site(root, config, env, index, loaded, assets, template_keys)
            outputs = site.plan(statics)
        except TemplateError as err:
            raise GongkaiError(_template_problem(err)) from None
        previous: dict[str, str] = cache.get("outputs", {}) if out.is_dir() else {}
        # An output that is gone or not as the last build left it (edited by hand) is rendered
        # again; the output folder of a long-running caller (a preview) is its own, not looked at.
        watched = bool(previous) and memory is None
        left = cache.get("states", {})
        found = file_states(out, left) if watched else {}
        todo = [o for o in outputs if previous.get(o.path) != o.key
                or (watched and (o.path not in found or found[o.path] != left[o.path]))]
        removed = sorted(set(previous) - {o.path for o in outputs})
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    keys = {o.path: o.key for o in outputs}
    indexed_as: dict[str, str] = cache.get("search", {}) if previous else {}
    try:
        staged = render(todo, staging, jobs, flat=bool(previous))
        page_hashes = _page_hashes(site.shards, staged, out, cache.get("page_hashes", {}) if previous else {})
        search_keys = {shard.name: digest(engine_version(), [(page, page_hashes[page]) for page in shard.pages])
                       for shard in site.shards}
        if previous:
            move_in(staged, out, removed)
        else:
            if not defer_search:  # a new site is swapped in with its index
                indexed_as = update_index(staging, site.shards, search_keys, {}, jobs)
            swap_in(staging, out)
    except TemplateError as err:
        raise GongkaiError(_template_problem(err)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not defer_search:
        indexed_as = update_index(out, site.shards, search_keys, indexed_as, jobs)
    if memory is not None:
        out_state = {}  # a long-running caller's output folder is not looked at (see above)
    elif previous:
        out_state = settled_state(out, found, [o.path for o in todo], removed, SEARCH_DIR)
    else:
        out_state = tree_state(out)
    states = {path: value for path, value in out_state.items() if path in keys}
    record = {"content": loaded.cache, "slugs": slugs, "theme": theme_key,
              "template_keys": template_keys, "outputs": keys,
              "search": indexed_as, "search_shards": site.shards, "search_wanted": search_keys,
              "page_hashes": page_hashes, "states": states}
    if memory is not None:
        memory.update(record, env=env)
    else:
        save_content(root, loaded.cache, cache["content"])
        if todo or removed or record["outputs"] != previous or indexed_as != cache.get("search") \
                or record["states"] != cache.get("states"):
            save_record(root, out, record)
        write_stamp(stamp_file, inputs, out_state, len(outputs))
    return BuildResult(len(todo), len(outputs) - len(todo), len(removed))
