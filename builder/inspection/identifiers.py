"""索引号 and 发文字号: present, in their shapes, each naming one notice; and addresses that
stay put."""

from __future__ import annotations

import re
from collections.abc import Iterator

from builder.inspection.rules import Entry, Hit, Rule, Severity, Site
from builder.schema import LABEL
from builder.urls import notice_page

# Findings name the two by their labels, as the pages and the inspection do.
INDEX_NO, DOC_NO = LABEL["index_no"], LABEL["doc_no"]
# builder/normalize's slug of an ASCII 索引号 (slug_for); a digest suffix tells two apart.
NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _shared(site: Site, key: str) -> dict[str, list[Entry]]:
    owners: dict[str, list[Entry]] = {}
    for entry in site.entries:
        value = getattr(entry.notice, key)
        if value:
            owners.setdefault(re.sub(r"\s+", "", value), []).append(entry)
    return {value: entries for value, entries in owners.items() if len(entries) > 1}


def index_no_missing(site: Site) -> Iterator[Hit]:
    """A notice without an 索引号: the 政府信息公开目录 files every document under one, and
    readers and inspectors look documents up by it."""
    for entry in site.entries:
        if not entry.notice.index_no:
            yield Hit(entry.file, f"没有{INDEX_NO}", entry.line_of("index_no"))


def index_no_shape(site: Site) -> Iterator[Hit]:
    """An 索引号 not in the site's own format (inspection.index_no_pattern): most often a
    slip in copying it, which puts the document out of the catalogue's order."""
    pattern = re.compile(site.config.inspection.index_no_pattern)
    for entry in site.entries:
        value = entry.notice.index_no
        if value and not pattern.fullmatch(value.strip()):
            yield Hit(entry.file, f"{INDEX_NO} {value} 不合本站格式（inspection.index_no_pattern）",
                      entry.line_of("index_no"))


def _duplicates(site: Site, key: str, label: str) -> Iterator[Hit]:
    for value, entries in sorted(_shared(site, key).items()):
        for entry in entries:
            others = "、".join(other.file for other in entries if other is not entry)
            yield Hit(entry.file, f"{label} {value} 与 {others} 相同", entry.line_of(key))


def index_no_duplicate(site: Site) -> Iterator[Hit]:
    """Notices that share an 索引号: it must name one document, or a reader looking it up
    finds the wrong one."""
    return _duplicates(site, "index_no", INDEX_NO)


def doc_no_duplicate(site: Site) -> Iterator[Hit]:
    """Notices that share a 发文字号: an agency numbers each document once, so one of them
    is miscopied, or one document is published twice."""
    return _duplicates(site, "doc_no", DOC_NO)


def doc_no_shape(site: Site) -> Iterator[Hit]:
    """A 发文字号 not written as GB/T 9704 sets it (机关代字〔年份〕序号号, or a 公告's or a
    令's number): round brackets for the year or a padded number are what inspectors mark
    down as 不规范."""
    pattern = re.compile(site.config.inspection.doc_no_pattern)
    for entry in site.entries:
        value = entry.notice.doc_no
        if value and not pattern.fullmatch(re.sub(r"\s+", "", value)):
            yield Hit(entry.file, f"{DOC_NO} {value} 不是“机关代字〔年份〕序号号”的格式", entry.line_of("doc_no"))


def slug_unstable(site: Site) -> Iterator[Hit]:
    """A notice whose address is not the one its 索引号 gives: normalising its page again
    would write it under that address, and links to the old one would break."""
    for entry in site.entries:
        index = entry.notice.index_no or ""
        wanted = NOT_SLUG.sub("-", index.lower()).strip("-") if index.isascii() else ""
        slug = entry.notice.slug
        if wanted and slug != wanted and not slug.startswith(f"{wanted}-"):
            yield Hit(entry.file, f"网址 {notice_page(slug)} 不是由{INDEX_NO} {index} 得来"
                                  f"（应为 {notice_page(wanted)}）", entry.line_of("index_no"))


SOURCE = f"《政府信息公开目录系统实施指引》：{INDEX_NO}、{DOC_NO}等元数据完整、唯一、规范"
RULES = (
    Rule("index_no_missing", Severity.DEDUCT, f"缺少{INDEX_NO}", index_no_missing,
         f"按本单位的{INDEX_NO}编制规则补填 index_no", SOURCE),
    Rule("index_no_duplicate", Severity.DEDUCT, f"{INDEX_NO}重复", index_no_duplicate,
         f"一个{INDEX_NO}只对应一件文件：核对后改正其中一件", SOURCE),
    Rule("index_no_shape", Severity.DEDUCT, f"{INDEX_NO}格式不规范", index_no_shape,
         f"按本单位的{INDEX_NO}编制规则改正；规则不同的，修改 site.yaml 的 inspection.index_no_pattern", SOURCE),
    Rule("doc_no_duplicate", Severity.DEDUCT, f"{DOC_NO}重复", doc_no_duplicate,
         f"一个{DOC_NO}只对应一件文件：核对原件后改正", SOURCE),
    Rule("doc_no_shape", Severity.DEDUCT, f"{DOC_NO}格式不规范", doc_no_shape,
         "按 GB/T 9704 写作“机关代字〔年份〕序号号”，如 泉鲤政教〔2024〕15号：年份用六角括号，序号不编虚位",
         SOURCE),
    Rule("slug_unstable", Severity.NOTE, f"网址与{INDEX_NO}不一致", slug_unstable,
         f"保留现有网址即可；若要改用{INDEX_NO}网址，重命名内容文件并为旧网址设置跳转", SOURCE),
)
