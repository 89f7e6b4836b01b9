"""`gongkai build`: content/ + theme/ + site.yaml → public/, all or nothing.

The site is written into a fresh folder beside the output and swapped in at the end, so
a failed build leaves the previous site whole. No clock and no unordered iteration
reaches the output: the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from builder.config import SiteConfig
from builder.content import load_notices
from builder.errors import GongkaiError, Problem
from builder.feeds import Feed, atom, rss
from builder.pages import CHINA, SiteIndex, index_site, pages_of
from builder.render import theme_environment
from builder.views import cn_date, notice_view

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "theme"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NOT_FOUND = "404.html"


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int


class _Writer:
    """Writes the site's files under one folder, counting them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0

    def write(self, path: str, data: str | bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.files += 1

    def copy(self, source: Path, path: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.files += 1


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
    def __init__(self, root: Path, config: SiteConfig, env: Environment, index: SiteIndex, out: _Writer,
                 assets: dict[str, str]) -> None:
        self.root, self.config, self.env, self.index, self.out = root, config, env, index, out
        self.assets = assets
        self.pages = 0
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
    def page(self, template: str, path: str, feed: Feed | None = None, **context: Any) -> None:
        """One page; every page offers the site's feed, a topic or publisher page its own too."""
        url = partial(self.link, path)
        html = self.env.get_template(template).render(
            site=self.config, index=self.index, url=url, cn_date=cn_date, page_path=path,
            feeds=[self.site_feed, feed] if feed else [self.site_feed], own_feed=feed,
            asset=lambda name: f"{url('static/' + name)}?v={self.assets[name]}",
            canonical=self.config.absolute(path), **context)
        self.out.write(f"{path}index.html" if path.endswith("/") or not path else path, html)
        self.pages += 1

    def link(self, page: str, target: str = "") -> str:
        """A link from one site path to another. Relative, so the site works from any folder,
        host or sub-path; 404.html is served at any depth, so it links from the base path."""
        if page == NOT_FOUND:
            return self.config.base_path + target
        folder = page.rpartition("/")[0] or "."
        relative = posixpath.relpath(target or ".", folder)
        return f"{relative}/" if not target or target.endswith("/") else relative

    def listing(self, template: str, base: str, title: str, notices: list, **context: Any) -> None:
        """A list of notices over as many pages as `page_size` needs."""
        chunks = pages_of(notices, self.config.page_size)
        for number, chunk in enumerate(chunks, start=1):
            path = base if number == 1 else f"{base}page/{number}/"
            pager = {"number": number, "count": len(chunks),
                     "previous": None if number == 1 else (base if number == 2 else f"{base}page/{number - 1}/"),
                     "next": f"{base}page/{number + 1}/" if number < len(chunks) else None}
            self.page(template, path, title=title, notices=chunk, pager=pager, total=len(notices), **context)

    def build(self) -> None:
        index, content_notices = self.index, self.root / "content" / "notices"
        for notice in index.notices:
            view = notice_view(notice, self.config, content_notices, self.as_of)
            self.page("notice.html", view.path, title=notice.title, view=view,
                      topics=[(t, index.topic_slugs[t]) for t in notice.tags],
                      publisher_slug=index.publisher_slugs.get(notice.publisher or ""))
            for attachment in notice.attachments:
                if attachment.file:
                    self.out.copy(content_notices / attachment.file, f"{view.path}{Path(attachment.file).name}")
        self.page("home.html", "", title=self.config.title, notices=index.notices[: self.config.home_count])
        self.listing("list.html", "notices/", "全部文件", index.notices)
        for kind, groups, title in (("topics", index.topics, "主题分类"), ("publishers", index.publishers, "发布机构"),
                                    ("archives", index.years, "年度归档")):
            self.page("groups.html", f"{kind}/", title=title, kind=kind, groups=groups)
            for group in groups:
                name = "日期不详" if group.slug == "undated" else group.name + ("年" if kind == "archives" else "")
                self.listing("list.html", f"{kind}/{group.slug}/", name, list(group.notices), kind=kind, group=group,
                             feed=self.group_feeds.get((kind, group.slug)))
        all_feeds = [self.site_feed, *self.group_feeds.values()]
        self.page("subscribe.html", "subscribe/", title="订阅", all_feeds=all_feeds)
        self.page("404.html", NOT_FOUND, title="页面未找到")
        fallback = datetime.fromisoformat(self.as_of or "2000-01-01").replace(tzinfo=CHINA)
        for feed in all_feeds:
            static = self.link(feed.page, "static/")  # a feed sits in its page's folder
            self.out.write(feed.rss_path, rss(feed, self.config, static))
            self.out.write(feed.atom_path, atom(feed, self.config, static, fallback))
        self.out.write("sitemap.xml", self.sitemap())
        self.out.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {self.config.absolute('sitemap.xml')}\n")
        self.out.write("notices.json", self.open_data())

    def sitemap(self) -> bytes:
        ET.register_namespace("", SITEMAP_NS)
        urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
        entries = [("", None), ("notices/", None), ("subscribe/", None)]
        entries += [(f"notices/{n.slug}/", (n.published or n.written or "")[:10] or None) for n in self.index.notices]
        entries += [(f"{kind}/{g.slug}/", None) for kind, groups in
                    (("topics", self.index.topics), ("publishers", self.index.publishers),
                     ("archives", self.index.years)) for g in groups]
        for path, lastmod in entries:
            url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = self.config.absolute(path)
            if lastmod:
                ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
        ET.indent(urlset)
        return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"

    def open_data(self) -> str:
        records = [{"url": self.config.absolute(f"notices/{n.slug}/"), "slug": n.slug, **n.front_matter()}
                   for n in self.index.notices]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def _swap_in(built: Path, out: Path) -> None:
    """Replace `out` with `built`; `out` is only ever missing between two renames."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.rename(out, old)
    os.rename(built, out)
    if old.exists():
        shutil.rmtree(old)


def build_site(root: Path, config: SiteConfig, out: Path, drafts: bool = False) -> BuildResult:
    notices = [n for n in load_notices(root / "content") if drafts or not n.draft]
    index = index_site(notices, config)
    env = theme_environment(root / "theme", DEFAULT_THEME)
    statics = _static_files(root / "theme")
    assets = {name: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for name, path in statics.items()}
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    writer = _Writer(staging)
    try:
        for name, path in statics.items():
            writer.copy(path, f"static/{name}")
        site = _Site(root, config, env, index, writer, assets)
        site.build()
    except TemplateError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise GongkaiError(_template_problem(err)) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(staging, out)
    return BuildResult(site.pages, writer.files)
