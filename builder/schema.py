"""A notice's fields, one row each: the one place a field is described.

Every stage takes its part of a row from here, so that they cannot disagree: content.py how
a key is read from front matter, model.py the order keys are written in, the normaliser the
labels portals print for a field and what a value under them looks like, views.py its row
in a notice's table of metadata, errors.py its name in a message, opendata.py its place in
notices.json. Adding a field is a row here, its attribute on Notice, and their tests.

A row's `label` is the field's name in Chinese, the language of the sites gongkai builds:
pages and the warnings written into content files show it as it is. A message to the user
names the field through the catalog instead, in the user's language: the row's key is that
message (marked by NC_ where the row is written), and the Chinese catalog's translation of
it is the row's label (tests/test_schema.py holds them equal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from builder.dates import parse_date
from builder.i18n import NC_


@dataclass(frozen=True)
class Kind:
    """What a field's value is: how front matter writes it and content.py reads it back."""

    name: str
    python: str  # the Notice attribute's annotation, as builder/model.py writes it
    keeps_time: bool = False  # a date that may carry its time of day


TEXT = Kind("text", "str | None")
DATE = Kind("date", "str | None")  # YYYY-MM-DD
MOMENT = Kind("moment", "str | None", keeps_time=True)  # YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+08:00
TEXTS = Kind("texts", "list[str]")
LABELLED = Kind("labelled", "dict[str, str]")  # label as a portal wrote it → value
ATTACHMENTS = Kind("attachments", "list[Attachment]")
RELATIONS = Kind("relations", "list[Relation]")
CHANGES = Kind("changes", "list[Change]")
FLAG = Kind("flag", "bool")
# Kinds whose items are records: each writes itself with its own front_matter().
RECORDS = (ATTACHMENTS, RELATIONS, CHANGES)
DATES = (DATE, MOMENT)


def _date_or_empty(value: str) -> bool:
    return not value or parse_date(value) is not None


def _short_text(limit: int) -> Callable[[str], bool]:
    """A name, number or title: no sentence's end, and no colon that would make it a label."""
    return lambda value: len(value) <= limit and not re.search(r"[。；;！？]|[:：]$", value)


def _identifier(value: str) -> bool:
    return len(value) <= 60 and not re.search(r"\s", value)


@dataclass(frozen=True)
class NoticeField:
    """One field of a notice, as every stage sees it."""

    key: str  # in front matter, and the Notice attribute
    kind: Kind
    label: str  # its Chinese name: on pages, and in warnings written into content files
    # The labels portals print for it in their metadata blocks, which the normaliser reads it under;
    # `weak` ones are short, common words that also start sentences, trusted only in the
    # head of a notice; `prose` ones label a sentence or two (up to MAX_PROSE characters).
    synonyms: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    prose: tuple[str, ...] = ()
    valid: Callable[[str], bool] | None = None  # what a value under one of `synonyms` looks like
    place: int | None = None  # its row in a notice's table of metadata; None: not shown there
    shown_empty: bool = False  # the row is shown (as not given) where the notice has no value
    # Its label in that table where a portal's own row of the notice already holds `label`.
    alternate: str | None = None
    expected: bool = False  # a reader would miss it: normalize warns where it finds none
    optional: bool = False  # written to front matter only when it holds something
    open_data: int | None = None  # its place in a notices.json record; None: not published


MAX_PROSE = 500

FIELDS: tuple[NoticeField, ...] = (
    # Each key is marked NC_ for the catalog, where the user's language names it in messages.
    NoticeField(NC_("field", "title"), TEXT, "标题", ("标题", "文件标题", "信息名称", "名称", "title"),
                weak=("标题", "名称"), valid=_short_text(200), place=5, shown_empty=True, expected=True,
                open_data=1),
    NoticeField(NC_("field", "index_no"), TEXT, "索引号", ("索引号", "信息索引号", "索取号"), valid=_identifier,
                place=1, shown_empty=True, expected=True, open_data=2),
    NoticeField(NC_("field", "doc_no"), TEXT, "发文字号", ("发文字号", "文号", "备注/文号", "文件编号"),
                weak=("文号",), valid=_short_text(60), place=6, shown_empty=True, expected=True, open_data=3),
    NoticeField(NC_("field", "publisher"), TEXT, "发布机构",
                ("发文机关", "发布机构", "发文机构", "公开主体", "发布单位", "制发机关", "发文单位", "发布部门",
                 "制定机关", "作出决定机关", "作出处罚决定的机关名称"),
                valid=_short_text(80), place=3, shown_empty=True, expected=True, open_data=4),
    NoticeField(NC_("field", "category"), TEXT, "主题分类",
                ("主题分类", "组配分类", "信息分类", "所属主题", "主题", "分类"), weak=("主题", "分类"),
                valid=_short_text(80), place=2, shown_empty=True, open_data=5),
    NoticeField(NC_("field", "written"), DATE, "成文日期",
                ("成文日期", "公文生成日期", "生成日期", "发文日期", "产生日期", "印发日期"),
                valid=_date_or_empty, place=4, shown_empty=True, expected=True, open_data=6),
    NoticeField(NC_("field", "published"), MOMENT, "发布日期", ("发布日期", "公开日期", "发布时间", "时间"),
                weak=("时间",), valid=_date_or_empty, place=7, shown_empty=True, expected=True, open_data=7),
    NoticeField(NC_("field", "effective"), DATE, "生效日期",
                ("生效日期", "实施日期", "施行日期", "生效时间", "施行时间"),
                valid=_date_or_empty, place=8, open_data=8),
    NoticeField(NC_("field", "expires"), DATE, "失效日期", ("失效日期", "废止日期", "失效时间", "废止时间"),
                valid=_date_or_empty, place=9, open_data=9),
    # As written (有效, 已废止, 已修订 …); the table and notices.json show the build's judgement.
    NoticeField(NC_("field", "validity"), TEXT, "有效性", ("有效性", "效力状况", "效力状态", "时效性"),
                valid=_short_text(20), place=10, open_data=10),
    NoticeField(NC_("field", "doc_type"), TEXT, "文种", expected=True),
    NoticeField(NC_("field", "addressee"), TEXT, "主送机关"),
    NoticeField(NC_("field", "signers"), TEXTS, "落款"),
    NoticeField(NC_("field", "signed"), DATE, "落款日期"),
    NoticeField(NC_("field", "disclosure"), TEXT, "公开方式", ("公开方式", "公开属性", "公开形式"),
                valid=_short_text(20), place=11, open_data=11),
    NoticeField(NC_("field", "attachments"), ATTACHMENTS, "附件", open_data=14),
    # The table shows the topic tags in place of a 主题分类 the notice lacks.
    NoticeField(NC_("field", "tags"), TEXTS, "主题词", alternate="主题", open_data=12),
    # Labelled facts with no key of their own, under the label as written; the labels
    # portals use for them are known, so that they are read as metadata, not as text.
    NoticeField(NC_("field", "extra"), LABELLED, "其他信息",
                ("url", "author", "主题词", "关键词", "统一编号", "公开目录", "公文种类", "文种", "来源", "信息来源",
                 "联合发文单位", "公开时限", "公开范围", "体裁分类", "服务对象", "所属机构", "信息类别",
                 "政策类型", "文件类型", "是否有效", "内容概述", "内容摘要", "摘要", "效力级别", "法规类别",
                 # the rows of a 行政处罚 disclosure table, and a crawler's own notes
                 "序号", "当事人名称", "主要违法违规行为", "主要违法违规事实", "行政处罚依据", "行政处罚内容",
                 "行政处罚决定书文号", "类别", "详情链接", "抓取时间"),
                weak=("来源", "文种", "关键词", "摘要", "序号", "类别"), prose=("内容概述", "内容摘要", "摘要"),
                valid=_short_text(120), open_data=13),
    NoticeField(NC_("field", "source"), TEXT, "来源"),
    NoticeField(NC_("field", "inferred"), TEXTS, "推断字段"),
    NoticeField(NC_("field", "warnings"), TEXTS, "整理提示"),
    # Keys filled from a saved page's <meta> tags, by normalize.
    NoticeField(NC_("field", "page_meta"), TEXTS, "网页元数据", optional=True),
    NoticeField(NC_("field", "relations"), RELATIONS, "文件关系", optional=True),
    NoticeField(NC_("field", "changes"), CHANGES, "修改记录", optional=True),  # by an editor
    NoticeField(NC_("field", "draft"), FLAG, "草稿", optional=True),  # by an editor
)

BY_KEY: dict[str, NoticeField] = {field.key: field for field in FIELDS}
# Each field's label by its key: how the rest of gongkai (messages, rules, templates) spells
# one, so a label is written in this module alone (tests/test_schema.py holds it so).
LABEL: dict[str, str] = {field.key: field.label for field in FIELDS}
# Front-matter keys in the order they are written; editors and tools rely on it.
KEYS: tuple[str, ...] = tuple(BY_KEY)
# Notice attributes that are no front-matter key: the file's text below it, and its name.
NOT_IN_FRONT_MATTER = ("body", "slug")
# A notice's table of metadata: its rows in their order.
TABLE: tuple[NoticeField, ...] = tuple(sorted((f for f in FIELDS if f.place is not None),
                                              key=lambda f: f.place or 0))
# The keys of a notices.json record, in their order.
OPEN_DATA: tuple[str, ...] = tuple(f.key for f in sorted((f for f in FIELDS if f.open_data is not None),
                                                         key=lambda f: f.open_data or 0))

