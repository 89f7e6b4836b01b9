"""Notice → what a page shows: the metadata rows, the rendered body, attachments, status.

Kept apart from the templates so they stay simple, and apart from the build so it is
easy to test on one notice.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from builder.config import SiteConfig
from builder.dates import parse_date
from builder.lifecycle import IN_FORCE_RULE, LEGAL_FORCE, STATED, Link, Status
from builder.markdown import REFERENCE, render_markdown
from builder.model import Change, Notice

# Where the notice ends and the texts it carries begin (see builder/normalize/emit.py).
APPENDIX_START = re.compile(r"^:{3,} (?:attachment|document)[ \t]*$", re.MULTILINE)


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


@dataclass(frozen=True)
class AttachmentView:
    label: str  # 附件1
    title: str
    href: str | None  # #attachment-1 or a file URL; None when not online
    info: str | None  # PDF，245 KB


@dataclass(frozen=True)
class NoticeView:
    notice: Notice
    path: str  # notices/<slug>/
    rows: list[Row]
    body: Markup  # the notice, from the addressee to the 附注
    appendix: Markup  # what follows it: attachments' text, the document a cover letter prints
    attachments: list[AttachmentView]
    status: Status  # on the day the site is judged against (builder/lifecycle.py)
    links: list[Link]  # its relations to other notices, both ways
    changes: list[Change]  # its 修订记录, oldest first
    json_ld: Markup


def metadata_rows(notice: Notice, config: SiteConfig, status: Status | None = None) -> list[Row]:
    """The gov.cn reading order; validity dates and 公开方式 only where present, then the
    portal's other labelled facts (`extra`: 主题词, 联合发文单位 …) as it labelled them.
    有效性 is the notice's status where the build judged one, else as the notice states it."""
    def row(label: str, key: str, is_date: bool = False) -> Row:
        value = getattr(notice, key)
        note = "据正文推断" if key in notice.inferred else "据网页元数据" if key in notice.page_meta else None
        return Row(label, cn_date(value) if is_date else (value or ""), value if is_date else None, note)

    rows = [row("索引号", "index_no"), Row("主题分类", notice.category or "", None, None),
            row(config.publisher_label, "publisher"), row("成文日期", "written", True), row("标题", "title"),
            row("发文字号", "doc_no"), row("发布日期", "published", True)]
    validity = row("有效性", "validity")
    if status is not None and status.rule not in (STATED, IN_FORCE_RULE):
        validity = Row("有效性", status.name, None, "据文件关系" if status.by else "据生效、失效日期")
    elif status is not None and not notice.validity and (notice.effective or notice.expires or notice.relations):
        validity = Row("有效性", status.name, None, "据生效、失效日期")
    optional = [row("生效日期", "effective", True), row("失效日期", "expires", True), validity,
                row("公开方式", "disclosure")]
    extra = [Row(label, value, None, None) for label, value in notice.extra.items() if value]
    return rows + [r for r in optional if r.value] + extra


def file_info(path: Path) -> str:
    size = path.stat().st_size
    amount = f"{math.ceil(size / 1024)} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
    kind = path.suffix.lstrip(".").upper() or "文件"
    return f"{kind}，{amount}"


def attachment_views(notice: Notice, content_notices: Path | None) -> list[AttachmentView]:
    """The attachment list; with the content folder, files are described by type and size."""
    views = []
    many = len(notice.attachments) > 1
    for position, attachment in enumerate(notice.attachments, start=1):
        number = attachment.number or (position if many else None)
        label = f"附件{number}" if number else "附件"
        if attachment.file:
            info = file_info(content_notices / attachment.file) if content_notices else None
            views.append(AttachmentView(label, attachment.title, Path(attachment.file).name, info))
        elif attachment.url:
            views.append(AttachmentView(label, attachment.title, attachment.url, None))
        elif attachment.inline:
            views.append(AttachmentView(label, attachment.title, f"#attachment-{position}", None))
        else:
            views.append(AttachmentView(label, attachment.title, None, None))
    return views


def first_paragraph(body: str) -> str:
    """The first paragraph of prose, as plain text: what a feed shows as a summary. Marked
    blocks (the addressee, containers, headings, lists) are not prose; only the first block
    that may be is parsed, not the whole body."""
    for block in body.split("\n\n"):
        block = block.strip()
        if not block or block.startswith(("{", ":::", "#", "- ")):
            continue
        for opening, inline in itertools.pairwise(REFERENCE.parse(block)):
            if opening.type == "paragraph_open" and inline.type == "inline":
                return "".join(child.content for child in inline.children or [] if child.type == "text")
    return ""


def status_text(notice: Notice, status: Status) -> str:
    """What a notice's banner says of its status, as plain text (the page links the notice
    behind it; a feed item says it in words)."""
    by = status.by
    if by is not None:
        doc_no = f"（{by.other.doc_no}）" if by.other and by.other.doc_no else ""
        since = f"已于{cn_date(by.day)}" if by.day else ""
        rest = "，其余部分继续有效" if status.name == "部分失效" else ""
        return f"本文件{by.scope or ''}{since}被《{by.text}》{doc_no}{by.type}{rest}。"
    if status.name == "尚未生效":
        return f"本文件自{cn_date(notice.effective)}起施行。"
    if status.name == "已失效" and notice.expires:
        return f"本文件已于{cn_date(notice.expires)}到期失效，仅供查阅，不再作为执行依据。"
    return f"本文件的有效性为“{notice.validity or status.name}”。"


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
    path = f"notices/{notice.slug}/"
    start = APPENDIX_START.search(body)
    cut = start.start() if start else len(body)
    return NoticeView(
        notice=notice,
        path=path,
        rows=metadata_rows(notice, config, status),
        body=Markup(render_markdown(body[:cut])),
        appendix=Markup(render_markdown(body[cut:])),
        attachments=attachment_views(notice, content_notices),
        status=status,
        links=sorted(links, key=lambda link: (link.outgoing, link.day or "", link.type)),
        changes=sorted(notice.changes, key=lambda change: change.date),
        json_ld=json_ld(notice, config, path, status),
    )
