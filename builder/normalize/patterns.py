"""The shapes of GB/T 9704 document elements, as one table of patterns."""

from __future__ import annotations

import re

from builder.dates import parse_date

CN_NUM = "一二三四五六七八九十百"

# Rules and measures (办法, 条例, 规定) are outlined in 第一章 and 第一节 headings, and
# numbered in 第一条 articles, which stay paragraphs.
CHAPTER = re.compile(rf"^第\s*(?P<n>[{CN_NUM}零〇]+)\s*章")
SECTION = re.compile(rf"^第\s*(?P<n>[{CN_NUM}零〇]+)\s*节")
ARTICLE = re.compile(rf"^第\s*(?P<n>[{CN_NUM}零〇]+)\s*条")
# 一、 and （一） open headings. 一、二年级 is an enumeration, not a heading.
LEVEL1 = re.compile(rf"^(?P<n>[{CN_NUM}]+)\s*、(?![{CN_NUM}])")
LEVEL2 = re.compile(rf"^[（(]\s*(?P<n>[{CN_NUM}]+)\s*[）)]")
# 1. and （1） open numbered paragraphs, which stay paragraphs.
ITEM = re.compile(r"^(?P<n>\d{1,3})\s*[.．、]")
SUBITEM = re.compile(r"^[（(]\s*(?P<n>\d{1,3})\s*[）)]")
# Heading kinds, outermost first.
HEADINGS = (("chapter", CHAPTER), ("section", SECTION), ("level1", LEVEL1), ("level2", LEVEL2))

# 附件说明 (`附件：1.…`) versus the label over an attachment's own text (`附件1`).
ATTACHMENT_LIST = re.compile(r"^附\s*件?\s*[:：]\s*(?P<rest>.*)$")  # 附： too, as some bodies print it
ATTACHMENT_LABEL = re.compile(r"^附\s*件\s*(?:(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})\s*[:：]?)?$")
# 附件1：名单 — in the 附件说明 an item; over an attachment's own text its label and title.
ATTACHMENT_TITLED = re.compile(
    r"^(?P<label>附\s*件\s*(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})\s*[:：.．、]\s*)(?P<title>\S.{0,80})$")
# Where a 附件说明 line holds several items: 1.名单 2.报名表
NEXT_ITEM = re.compile(r"\s+(?=\d{1,3}\s*[.．、]\D)")

# Files portals attach, by the ending of their names.
FILE_TYPES = frozenset({".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".csv", ".ppt", ".pptx", ".dps",
                        ".zip", ".rar", ".7z", ".ofd", ".txt", ".rtf", ".odt", ".ods"})
# A file as a scraped download list names it: 1.名单.xlsx, 附件2：名单.pdf, 名单.pdf（35KB）
FILE_NAME = re.compile(r"(?:附\s*件\s*(?P<label_n>\d{1,3})?\s*(?:[:：.．、]|[-—_]+)?\s*)?"
                       r"(?:(?P<n>\d{1,3})\s*[.．、]\s*)?(?P<name>\S.{0,150}?)(?P<ending>\.[A-Za-z0-9]{1,4})\s*(?:[（(]\s*[\d.]+\s*[KMG]?B\s*[）)])?",
                       re.IGNORECASE)

# 附注: a bracketed line after the date; 此件… says how the notice is disclosed.
NOTE = re.compile(r"^[（(](?P<body>[^（()）]{2,60})[）)]$")
DISCLOSURE = re.compile(r"^此件(?P<value>.{2,12})$")

# 国发〔2018〕43号; a 公告's 2024年第3号; a 令's 第12号 or 国令第706号
DOC_NO = re.compile(r"^(?:[^\s，。,：:]{1,20}[〔\[(（［]\s*\d{4}\s*[〕\])）］]|(?:\d{4}\s*年\s*)?第"
                    r"|[^\s，。,：:]{0,20}令\s*第)\s*\d{1,5}\s*号$")
DOC_NO_BRACKETS = re.compile(r"[〔\[(（［]\s*(\d{4})\s*[〕\])）］]")

# 文种 (GB/T 9704), longest first so 命令 wins over 令.
DOC_TYPES = ("决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示",
             "批复", "议案", "纪要", "函", "令")
# Words a document title ends with besides the 文种 (for 工作要点, 实施方案 …).
TITLE_ENDINGS = (*DOC_TYPES, "方案", "办法", "规定", "细则", "要点", "计划", "规划", "规则", "条例",
                 "指南", "标准", "制度", "总结", "安排", "章程", "名单", "公示", "清单", "说明", "解读", "问答")
TITLE_SUFFIX = re.compile(r"[（(](?:试行|暂行|征求意见稿|修订|草案)[）)]$")

# The line standing for a table of a saved HTML page (builder.normalize.html); the Markdown
# emitter puts the table in its place. Private-use characters: no notice text has them.
TABLE_MARK = re.compile(r"^\ue000table (?P<n>\d+)\ue000$")


def table_mark(number: int) -> str:
    """The line that stands for table `number` of a saved page until the Markdown emitter
    puts the table there."""
    return f"\ue000table {number}\ue000"


SENTENCE_MARK = re.compile(r"[。；;！？!?]")
LINE_END_MARKS = "。！？；：:;!?…”’」』）)》】"

NUMBERED = (CHAPTER, SECTION, ARTICLE, LEVEL1, LEVEL2, ITEM, SUBITEM)


def is_date_line(text: str) -> bool:
    """Whether a line is a date and nothing else, as a 成文日期 stands under its signature."""
    return parse_date(text) is not None


def is_marker_line(text: str) -> bool:
    """Lines whose start says what they are, so they never continue a broken line."""
    return (any(p.match(text) for p in NUMBERED) or bool(ATTACHMENT_LIST.match(text)) or bool(TABLE_MARK.match(text))
            or bool(DOC_NO.match(text))
            or bool(ATTACHMENT_LABEL.match(text)) or bool(ATTACHMENT_TITLED.match(text)) or bool(NOTE.match(text))
            or is_date_line(text))


MAX_TITLE_LINE = 100  # titles run long: 关于公开征求《…(征求意见稿)》意见建议的公告


def is_title_like(text: str) -> bool:
    """A short line with no sentence in it: a title, or one line of a wrapped title."""
    return (len(text) <= MAX_TITLE_LINE and not SENTENCE_MARK.search(text) and not text.endswith((":", "："))
            and not is_marker_line(text) and not DOC_NO.match(text))


def title_ending(title: str) -> str | None:
    """The genre word a title ends with, ignoring 《…》 names and a （试行） suffix."""
    bare = TITLE_SUFFIX.sub("", re.sub(r"《[^》]*》", "", title)).rstrip()
    return next((word for word in TITLE_ENDINGS if bare.endswith(word)), None)


def doc_type_of(title: str) -> str | None:
    """The 文种 a title ends with (GB/T 9704's 通知, 批复 …), or None for any other ending."""
    ending = title_ending(title)
    return ending if ending in DOC_TYPES else None


def looks_like_title(title: str) -> bool:
    """Whether a text reads as a document's title: it ends with a genre word or says 关于."""
    return title_ending(title) is not None or "关于" in title


def file_name(text: str) -> tuple[int | None, str] | None:
    """(number, name without its ending) of a line that only names an attachment file."""
    match = FILE_NAME.fullmatch(text)
    if not match or match["ending"].lower() not in FILE_TYPES:
        return None
    number = match["label_n"] or match["n"]
    return (int(number) if number else None), match["name"].strip()


# Words that open or close a sentence leading into what follows, never a list of bodies.
LEADS_INTO_LIST = re.compile(r"^(?:根据|按照|依据|依照|为|鉴于|现将|现就|经研究|近日|近期)|如下\s*[:：]$")


def is_addressee(text: str) -> bool:
    """主送机关: bodies listed before a colon, not a sentence that leads into a list."""
    return (text.endswith((":", "：")) and len(text) <= 150 and not SENTENCE_MARK.search(text)
            and not is_marker_line(text) and not LEADS_INTO_LIST.search(text))
