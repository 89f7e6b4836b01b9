"""RSS 2.0 and Atom 1.0 feeds, built as XML trees with lxml.

A feed depends only on the notices it lists: `lastBuildDate` and Atom's `updated` come
from its newest item, never from the clock, so an unchanged feed keeps its bytes.

Each dated item also carries its date as the site's pages print it (`gk:date`, 2024年2月26日),
in gongkai's own namespace: feed readers ignore an element of a namespace they do not know
(RSS 2.0 and RFC 4287 allow such extensions), while feed.css shows it in place of the RFC 822
and RFC 3339 dates, which CSS cannot reformat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import urljoin

from lxml import etree
from markupsafe import Markup, escape

from builder.config import SiteConfig
from builder.markdown import render_markdown
from builder.model import Notice
from builder.site_index import CHINA, notice_moment
from builder.urls import notice_page
from builder.views import attachment_views, cn_date, first_paragraph

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
# gongkai's own elements in its feeds; feed.css names this URI in its @namespace rule.
GK_NS = "urn:gongkai:feed"
# XML 1.0 forbids these characters outright; a hand-edited notice may still hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Text(Protocol):
    """Where the text of notices comes from: bodies are read on demand, not held."""

    def body(self, notice: Notice) -> str:
        """A notice's Markdown body, read when an item is written."""


@dataclass(frozen=True)
class Change:
    """A notice's status changing (a repeal is news): an item of its own in the feeds."""

    notice: Notice
    status: str  # 已废止, 已失效, 部分失效, 已修订
    day: str  # when
    text: str  # what the notice's banner says

    @property
    def moment(self) -> datetime:
        """The day of the change as feeds date it: its midnight, China's time."""
        return datetime.fromisoformat(self.day).replace(tzinfo=CHINA)


@dataclass(frozen=True)
class FeedLink:
    """A feed as pages link it: its title and the page it follows. Pages are given this,
    not the feed, so that what they show of a feed is all their keys depend on."""

    title: str
    page: str  # the site path of the page the feed follows, e.g. topics/education/

    @property
    def rss_path(self) -> str:
        """Where its RSS file goes: feed.xml in the folder of the page it follows."""
        return f"{self.page}feed.xml"

    @property
    def atom_path(self) -> str:
        """Where its Atom file goes: atom.xml beside its RSS file."""
        return f"{self.page}atom.xml"

    @property
    def anchor(self) -> str:
        """Its row's id on the 订阅 page, which the page it follows links to."""
        return "feed-" + (self.page.strip("/").replace("/", "-") or "all")


@dataclass(frozen=True)
class Feed(FeedLink):
    """One feed: what it is about, where it lives, its notices newest first, and the status
    changes of its notices."""

    description: str = ""
    notices: tuple[Notice, ...] = ()
    changes: tuple[Change, ...] = ()

    @property
    def link(self) -> FeedLink:
        """The feed as pages link it."""
        return FeedLink(self.title, self.page)

    @property
    def name(self) -> str:
        """Its name on the 订阅 page, which names the site already: 主题：教育, or 全部文件
        for the site's own feed (whose title is the site's name alone)."""
        _, part, name = self.title.rpartition(" · ")
        return name if part else "全部文件"

    @property
    def newest_day(self) -> str | None:
        """The day of its newest item (a notice or a status change), YYYY-MM-DD."""
        days = [(n.dated or "")[:10] for n in self.notices] + [c.day for c in self.changes]
        return max(filter(None, days), default=None)


def clean(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, one of which makes a whole feed unreadable."""
    return NOT_XML.sub("", text)


def item_html(notice: Notice, text: Text, url: str, full: bool) -> str:
    """The item body: the first paragraph (or the whole notice), then its attachments."""
    markdown = text.body(notice)
    body = Markup(render_markdown(markdown)) if full else Markup("<p>{}</p>").format(first_paragraph(markdown))
    items = []
    for view in attachment_views(notice, None):
        href = urljoin(url, view.href) if view.href else None  # an anchor, a file beside the page, or a URL
        label = view.named
        items.append(Markup('<li><a href="{}">{}</a></li>').format(href, label) if href
                     else Markup("<li>{}（未在网上公开）</li>").format(label))
    if items:
        body += Markup("<p>附件：</p><ul>") + Markup("").join(items) + Markup("</ul>")
    return clean(str(body))


def _text(parent: etree._Element, tag: str, text: str | None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = clean(text)
    return element


def _shown_date(parent: etree._Element, day: str) -> None:
    """The item's date for a reader of the feed in a browser, by the function the pages use."""
    _text(parent, f"{{{GK_NS}}}date", cn_date(day))


def _document(root: etree._Element, static: str) -> bytes:
    """The feed with its stylesheet: CSS alone makes it a readable page in a browser. Not
    XSLT, which browsers are removing (Chromium already covers such pages with a warning)."""
    root.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/css" href="{escape(static)}feed.css"'))
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8", pretty_print=True)


def rss(feed: Feed, config: SiteConfig, text: Text, static: str) -> bytes:
    """The feed as RSS 2.0: its notices, then their status changes, each item dated as
    RFC 822 asks and as the site's pages print it."""
    root = etree.Element("rss", version="2.0", nsmap={"atom": ATOM_NS, "dc": DC_NS, "gk": GK_NS})
    channel = etree.SubElement(root, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", config.absolute(feed.page))
    _text(channel, "description", feed.description)
    _text(channel, "language", config.language)
    moments = [m for m in map(notice_moment, feed.notices) if m] + [c.moment for c in feed.changes]
    if moments:
        _text(channel, "lastBuildDate", format_datetime(max(moments)))
    _text(channel, "generator", "gongkai")
    _text(channel, f"{{{ATOM_NS}}}link", None, href=config.absolute(feed.rss_path), rel="self",
          type="application/rss+xml")
    for notice in feed.notices:
        url = config.absolute(notice_page(notice.slug))
        item = etree.SubElement(channel, "item")
        _text(item, "title", notice.title)
        _text(item, "link", url)
        _text(item, "guid", url, isPermaLink="true")
        moment = notice_moment(notice)
        if moment:
            _text(item, "pubDate", format_datetime(moment))
            _shown_date(item, notice.dated or "")
        if notice.publisher:
            _text(item, f"{{{DC_NS}}}creator", notice.publisher)
        for tag in notice.tags:
            _text(item, "category", tag)
        _text(item, "description", item_html(notice, text, url, config.feeds.full_content))
    for change in feed.changes:
        url = config.absolute(notice_page(change.notice.slug))
        item = etree.SubElement(channel, "item")
        _text(item, "title", f"{change.status}：{change.notice.title}")
        _text(item, "link", url)
        _text(item, "guid", change_id(url, change), isPermaLink="false")
        _text(item, "pubDate", format_datetime(change.moment))
        _shown_date(item, change.day)
        _text(item, "description", change.text)
    return _document(root, static)


def change_id(url: str, change: Change) -> str:
    """A stable id for a status change: the notice, the new status and its day."""
    return f"{url}#{change.status}-{change.day}"


def atom(feed: Feed, config: SiteConfig, text: Text, static: str, fallback: datetime) -> bytes:
    """Atom needs a date on every entry: an undated notice takes the feed's own date."""
    root = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS, "gk": GK_NS})  # type: ignore[dict-item]
    root.set("{http://www.w3.org/XML/1998/namespace}lang", config.language)
    moments = [m for m in map(notice_moment, feed.notices) if m] + [c.moment for c in feed.changes]
    updated = max(moments) if moments else fallback
    _text(root, f"{{{ATOM_NS}}}id", config.absolute(feed.atom_path))
    _text(root, f"{{{ATOM_NS}}}title", feed.title)
    _text(root, f"{{{ATOM_NS}}}subtitle", feed.description)
    _text(root, f"{{{ATOM_NS}}}updated", updated.isoformat())
    _text(root, f"{{{ATOM_NS}}}link", None, rel="self", type="application/atom+xml",
          href=config.absolute(feed.atom_path))
    _text(root, f"{{{ATOM_NS}}}link", None, rel="alternate", type="text/html", href=config.absolute(feed.page))
    author = etree.SubElement(root, f"{{{ATOM_NS}}}author")
    _text(author, f"{{{ATOM_NS}}}name", config.title)
    _text(root, f"{{{ATOM_NS}}}generator", "gongkai")
    for notice in feed.notices:
        url = config.absolute(notice_page(notice.slug))
        entry = etree.SubElement(root, f"{{{ATOM_NS}}}entry")
        _text(entry, f"{{{ATOM_NS}}}id", url)
        _text(entry, f"{{{ATOM_NS}}}title", notice.title)
        moment = notice_moment(notice)
        _text(entry, f"{{{ATOM_NS}}}updated", (moment or updated).isoformat())
        if moment:  # an undated notice's entry shows no date, though Atom gives it the feed's
            _text(entry, f"{{{ATOM_NS}}}published", moment.isoformat())
            _shown_date(entry, notice.dated or "")
        _text(entry, f"{{{ATOM_NS}}}link", None, rel="alternate", type="text/html", href=url)
        if notice.publisher:
            entry_author = etree.SubElement(entry, f"{{{ATOM_NS}}}author")
            _text(entry_author, f"{{{ATOM_NS}}}name", notice.publisher)
        for tag in notice.tags:
            _text(entry, f"{{{ATOM_NS}}}category", None, term=clean(tag))
        kind = "content" if config.feeds.full_content else "summary"
        _text(entry, f"{{{ATOM_NS}}}{kind}", item_html(notice, text, url, config.feeds.full_content), type="html")
    for change in feed.changes:
        url = config.absolute(notice_page(change.notice.slug))
        entry = etree.SubElement(root, f"{{{ATOM_NS}}}entry")
        _text(entry, f"{{{ATOM_NS}}}id", change_id(url, change))
        _text(entry, f"{{{ATOM_NS}}}title", f"{change.status}：{change.notice.title}")
        _text(entry, f"{{{ATOM_NS}}}updated", change.moment.isoformat())
        _shown_date(entry, change.day)
        _text(entry, f"{{{ATOM_NS}}}link", None, rel="alternate", type="text/html", href=url)
        _text(entry, f"{{{ATOM_NS}}}summary", change.text)
    return _document(root, static)
