"""Notice → what a page shows: the metadata rows, the rendered body, attachments, status.

Kept apart from the templates so they stay simple, and apart from the build so it is
easy to test on one notice.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from builder.body_format import anchor, prose_blocks, split_appendix
from builder.config import SiteConfig
from builder.dates import parse_date
from builder.lifecycle import IN_FORCE_RULE, LEGAL_FORCE, STATED, Link, Status
from builder.markdown import REFERENCE, render_markdown
from builder.model import Change, Notice
from builder.schema import BY_KEY, DATES, TABLE, NoticeField
from builder.urls import notice_page

# The rendered 附件说明 (the `::: attachments` container) and its items.
ATTACHMENT_LIST = re.compile(r'<div class="attachments">.*?</div>', re.S)
LIST_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
ITEM_NUMBER = re.compile(r"^(?:附件)?(\d+)[.．、:：]?")
NOT_IN_NAME = re.compile(r"[\s《》〈〉“”\"；;。，,]|<[^>]+>")
# A heading's last characters, kept on one line where text-wrap: balance is not supported.
HEADING_END = re.compile(r"((?:&#?\w+;|[^<&\s]){2}[。，、；：！？）》」』”’]*)(</h[1-6]>)")
TITLE_END = re.compile(r"\S{2}[。，、；：！？）》」』”’]*$")
# What says where a value not read from the notice's metadata came from, in a citizen's words:
# the text, or a field named by its label.
INFERRED = "据正文整理"
PAGE_META = "据" + BY_KEY["page_meta"].label
BY_RELATIONS = "据" + BY_KEY["relations"].label
# Both dates' labels end in 日期, which a reader hears once: 据生效、失效日期.
BY_DATES = "据" + "、".join(BY_KEY[key].label.removesuffix("日期") for key in ("effective", "expires")) + "日期"


def cn_date(iso: str | None) -> str:
    """2024-02-23T09:39:00+08:00 → 2024年2月23日 09:39, as a reader expects it."""
    parsed = parse_date(iso) if iso else None
    if parsed is None:
        return iso or ""
    day = f"{parsed.day.year}年{parsed.day.month}月{parsed.day.day}日"
    return f"{day} {parsed.clock.strftime('%H:%M')}" if parsed.clock else day


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    iso: str | None  # for <time datetime>
    note: str | None  # where a value not read from the notice's metadata came from
    key: str  # the field it shows (builder/schema.py), or `extra` for a portal's own label


@dataclass(frozen=True)
class AttachmentView:
    label: str  # 附件1, or "" where the notice gives it no number
    title: str
    href: str | None  # #attachment-1 or a file URL; None when not online
    info: str | None  # PDF，245 KB

    @property
    def named(self) -> str:
        return f"{self.label}：{self.title}" if self.label else self.title


@dataclass(frozen=True)
class NoticeView:
    notice: Notice
    path: str  # notices/<slug>/
    rows: list[Row]
    body: Markup  # the notice, from the addressee to the 附注; its 附件说明 links each attachment
    appendix: Markup  # what follows it: attachments' text, the document a cover letter prints
    listed: bool  # the notice prints an 附件说明
    unlisted: list[AttachmentView]  # attachments its 附件说明 does not name (a portal's download list)
    status: Status  # on the day the site is judged against (builder/lifecycle.py)
    links: list[Link]  # its relations to other notices, both ways
    changes: list[Change]  # its 修订记录, oldest first
    json_ld: Markup


def metadata_rows(notice: Notice, config: SiteConfig, status: Status | None = None) -> list[Row]:
    """The fields of the schema's TABLE in its order (the gov.cn reading order), those not
    shown when empty only where present, then the portal's other labelled facts (`extra`)
    as it labelled them."""
    rows = [_table_row(spec, notice, config, status) for spec in TABLE]
    extra = [Row(label, value, None, None, "extra") for label, value in notice.extra.items() if value]
    return [row for spec, row in zip(TABLE, rows, strict=True) if spec.shown_empty or row.value] + extra


def _table_row(spec: NoticeField, notice: Notice, config: SiteConfig, status: Status | None) -> Row:
    """One field's row. The publisher's label is the site's (site.yaml's publisher_label).
    Without a category the topic tags take its place, so the table never says 未注明 above a
    page that names its topics. The validity is the notice's status where the build judged
    one, else as the notice states it."""
    key, value = spec.key, getattr(notice, spec.key)
    if key == "category":
        tags = BY_KEY["tags"]
        if not notice.category and notice.tags:
            label = tags.alternate if tags.label in notice.extra and tags.alternate else tags.label
            return Row(label, "、".join(notice.tags), None, None, tags.key)
        return Row(spec.label, value or "", None, None, key)
    if key == "validity" and status is not None and status.rule not in (STATED, IN_FORCE_RULE):
        return Row(spec.label, status.name, None, BY_RELATIONS if status.by else BY_DATES, key)
    if key == "validity" and status is not None and not value and (notice.effective or notice.expires):
        return Row(spec.label, status.name, None, BY_DATES, key)
    label = config.publisher_label if key == "publisher" else spec.label
    note = INFERRED if key in notice.inferred else PAGE_META if key in notice.page_meta else None
    if spec.kind in DATES:
        return Row(label, cn_date(value), value, note, key)
    return Row(label, value or "", None, note, key)


def file_info(path: Path) -> str:
    size = path.stat().st_size
    amount = f"{math.ceil(size / 1024)} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
    kind = path.suffix.lstrip(".").upper() or "文件"
    return f"{kind}，{amount}"


def attachment_views(notice: Notice, content_notices: Path | None) -> list[AttachmentView]:
    """The attachments, each with where it is read: its text below, its file beside the page
    (with the content folder, described by type and size) or the portal's address. A number
    is shown only where the notice gives one."""
    views = []
    for position, attachment in enumerate(notice.attachments, start=1):
        label = f"附件{attachment.number}" if attachment.number else ""
        if attachment.file:
            info = file_info(content_notices / attachment.file) if content_notices else None
            views.append(AttachmentView(label, attachment.title, Path(attachment.file).name, info))
        elif attachment.url:
            kind = Path(urlsplit(attachment.url).path).suffix.lstrip(".").upper()
            views.append(AttachmentView(label, attachment.title, attachment.url, kind or None))
        elif attachment.inline:
            views.append(AttachmentView(label, attachment.title, f"#{anchor(position)}", None))
        else:
            views.append(AttachmentView(label, attachment.title, None, None))
    return views


def _name(text: str) -> str:
    """An attachment's name to compare by: no markup, number, brackets, quotes or spaces."""
    plain = NOT_IN_NAME.sub("", html.unescape(NOT_IN_NAME.sub("", text)))
    return ITEM_NUMBER.sub("", plain)


def _listed_item(item: str, notice: Notice, views: list[AttachmentView], taken: set[int]) -> str:
    """One item of the 附件说明 with a link to the attachment it names (by title, else by
    number) and the file's type and size, or that it is not online."""
    name, number = _name(item), ITEM_NUMBER.match(NOT_IN_NAME.sub("", html.unescape(item)))
    free = [i for i in range(len(views)) if i not in taken]
    found = next((i for i in free if name and (key := _name(views[i].title)) and (key in name or name in key)),
                 next((i for i in free if number and notice.attachments[i].number == int(number[1])), None))
    if found is None:
        return f"<li>{item}</li>"
    taken.add(found)
    view = views[found]
    linked = Markup('<a href="{}">{}</a>').format(view.href, Markup(item)) if view.href and "<a " not in item \
        else Markup(item)
    info = view.info or (None if view.href else "未在网上公开")
    described = Markup(' <span class="file-info">（{}）</span>').format(info) if info else ""
    return f"<li>{linked}{described}</li>"


def link_attachment_lists(parts: list[str], notice: Notice,
                          views: list[AttachmentView]) -> tuple[list[str], list[AttachmentView]]:
    """The notice's own 附件说明 (and an attachment's, for the files it carries) is its one
    list of attachments: each item links what it names. Returns the rendered parts so
    linked, and the attachments no list names, in their order."""
    taken: set[int] = set()

    def linked(block: re.Match[str]) -> str:
        return LIST_ITEM.sub(lambda item: _listed_item(item[1], notice, views, taken), block[0])

    parts = [ATTACHMENT_LIST.sub(linked, part) for part in parts]
    return parts, [view for i, view in enumerate(views) if i not in taken]


def keep_heading_ends(rendered: str) -> str:
    """Each heading's last two characters on one line, so none is left alone on a line in a
    browser without text-wrap: balance (style.css)."""
    return HEADING_END.sub(r'<span class="keep">\1</span>\2', rendered)


def keep_end(text: str) -> Markup:
    """A title's last two characters (and the punctuation after them) on one line."""
    match = TITLE_END.search(text)
    if match is None:
        return escape(text)
    return Markup('{}<span class="keep">{}</span>').format(text[: match.start()], match[0])


def first_paragraph(body: str) -> str:
    """The first paragraph of prose, as plain text: what a feed shows as a summary. Only the
    first blocks that may be prose are parsed, not the whole body."""
    for block in prose_blocks(body):
        for opening, inline in itertools.pairwise(REFERENCE.parse(block)):
            if opening.type == "paragraph_open" and inline.type == "inline":
                return "".join(child.content for child in inline.children or [] if child.type == "text")
    return ""


def book(title: str) -> str:
    """A document's name as Chinese text cites it: in 《》, a name inside it in 〈〉 (GB/T 15834)."""
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"


def status_text(notice: Notice, status: Status) -> str:
    """What a notice's banner says of its status, as plain text (the page links the notice
    behind it; a feed item says it in words)."""
    by = status.by
    if by is not None:
        doc_no = f"（{by.other.doc_no}）" if by.other and by.other.doc_no else ""
        since = f"已于{cn_date(by.day)}" if by.day else ""
        rest = "，其余部分继续有效" if status.name == "部分失效" else ""
        return f"本文件{by.scope or ''}{since}被{book(by.text)}{doc_no}{by.type}{rest}。"
    if status.name == "尚未生效":
        return f"本文件自{cn_date(notice.effective)}起施行。"
    if status.name == "已失效" and notice.expires:
        return f"本文件已于{cn_date(notice.expires)}到期失效，仅供查阅，不再作为执行依据。"
    return f"本文件的{BY_KEY['validity'].label}为“{notice.validity or status.name}”。"


def json_ld(notice: Notice, config: SiteConfig, path: str, status: Status | None = None) -> Markup:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": notice.title,
        "url": config.absolute(path),
        "inLanguage": config.language,
    }
    optional = {"identifier": notice.doc_no or notice.index_no, "dateCreated": notice.written,
                "datePublished": notice.published, "keywords": ", ".join(notice.tags) or None,
                "expires": notice.expires}
    data.update({key: value for key, value in optional.items() if value})
    if notice.publisher:
        data["publisher"] = {"@type": "GovernmentOrganization", "name": notice.publisher}
    if status is not None and (notice.effective or notice.expires or notice.relations or status.by):
        data["legislationLegalForce"] = f"https://schema.org/{LEGAL_FORCE[status.name]}"
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # Inside <script>, `<` could close the element: JSON allows it escaped.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def notice_view(notice: Notice, body: str, config: SiteConfig, content_notices: Path, status: Status,
                links: list[Link]) -> NoticeView:
    path = notice_page(notice.slug)
    views = attachment_views(notice, content_notices)
    rendered = [render_markdown(part) for part in split_appendix(body)]
    (main, appendix), unlisted = link_attachment_lists(rendered, notice, views)
    return NoticeView(
        notice=notice,
        path=path,
        rows=metadata_rows(notice, config, status),
        body=Markup(keep_heading_ends(main)),
        appendix=Markup(keep_heading_ends(appendix)),
        listed=any('<div class="attachments">' in part for part in rendered),
        unlisted=unlisted,
        status=status,
        links=sorted(links, key=lambda link: (link.outgoing, link.day or "", link.type)),
        changes=sorted(notice.changes, key=lambda change: change.date),
        json_ld=json_ld(notice, config, path, status),
    )
