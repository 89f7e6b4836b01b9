"""Labelled metadata + the document skeleton → one Notice.

Values read from a labelled place are taken as they are. Where a value is missing it is
inferred only from what the text itself says, the key goes into `inferred`, and a warning
says where it came from; where nothing supports a value it stays null, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from builder.config import TagRules
from builder.dates import parse_date
from builder.model import FRONT_MATTER_KEYS, Attachment, Notice
from builder.normalize.blocks import AttachmentList, Block, Item, Paragraph
from builder.normalize.decode import Line
from builder.normalize.html import Link
from builder.normalize.metadata import Metadata
from builder.normalize.patterns import DISCLOSURE, DOC_NO_BRACKETS, NOTE, doc_type_of, file_name, looks_like_title
from builder.normalize.structure import Section, Skeleton
from builder.normalize.tags import derive_tags
from builder.normalize.title import ORG, PAGE_TITLE_SHAPE, squeeze, without_doc_no

DATE_KEYS = ("written", "effective", "expires")
# Keys whose absence a reader of the notice would miss: null gets a warning.
EXPECTED_KEYS = ("title", "index_no", "doc_no", "publisher", "written", "published", "doc_type")
LABELS_CN = {"title": "标题", "index_no": "索引号", "doc_no": "发文字号", "publisher": "发布机构",
             "written": "成文日期", "published": "发布日期", "doc_type": "文种", "category": "主题分类",
             "effective": "生效日期", "expires": "失效日期", "validity": "有效性", "disclosure": "公开方式"}

# A 印发/转发 cover letter names the document it carries in 《…》.
COVER_NAME = re.compile(r"(?:现将|印发|转发|发布)[^《。]{0,12}《(?P<name>[^》]{4,80})》")
# An opening sentence that names its subject: 2020年…工作的总体要求是：…
LEAD_IN = re.compile(r"^(?P<subject>.{4,40}?)(?:的)?(?:总体要求|指导思想|主要任务|总体思路|工作要点|目标任务)是?$")
CLAUSE_END = re.compile(r"[:：,，。；;！？]")
# A value that says there is none: 文号：无, —, 暂无, /
NONE_VALUE = re.compile(r"\s*(?:无|暂无|空|没有|无文号|[—\-－/／\\]+|null|none|n/?a)?\s*", re.IGNORECASE)
# A cover letter that issues the document printed after it: 《X》…现印发给你们
COVER_VERB = re.compile(r"(?:印发|转发)给你们|现予(?:印发|发布|转发)|印发你们")
# A link's text as portals write it: 附件2：名单.xlsx → 名单
ATTACHMENT_PREFIX = re.compile(r"^\s*附\s*件\s*\d*\s*[:：.．、]?\s*(?:\d+\s*[.．、]\s*)?")
FILE_NAME_END = re.compile(r"\.[A-Za-z0-9]{1,5}$")
TITLE_SIMILARITY = 0.6
SIGNERS_APART = re.compile(r"[ \u3000]{2,}")
# Labels `extra` keeps a printed title or 发文字号 under where the metadata says otherwise.
PRINTED_LABELS = {"title": "正文标题", "doc_no": "正文发文字号"}


@dataclass
class Assembled:
    notice: Notice
    sources: dict[str, list[Line]] = field(default_factory=dict)  # key → raw lines it was read from
    anchors: dict[int, str] = field(default_factory=dict)  # section index → attachment anchor


def _iso(value: str, keep_time: bool) -> str | None:
    parsed = parse_date(value)
    if parsed is None:
        return None
    return parsed.iso() if keep_time else parsed.day.isoformat()


def _normal_doc_no(value: str) -> str:
    """国发[2018]43号 → 国发〔2018〕43号: scrapes lose the 六角括号."""
    return DOC_NO_BRACKETS.sub(r"〔\1〕", value).replace(" ", "")


class _Builder:
    def __init__(self, source: str) -> None:
        self.result = Assembled(Notice(source=source))
        self.notice = self.result.notice

    def set(self, key: str, value: object, lines: list[Line] | tuple[Line, ...], *, inferred: str = "") -> None:
        setattr(self.notice, key, value)
        self.result.sources.setdefault(key, []).extend(lines)
        if inferred and value not in (None, [], ""):
            self.notice.inferred.append(key)
            self.warn(f"{LABELS_CN.get(key, key)} inferred from {inferred}: {value}")

    def warn(self, message: str) -> None:
        self.notice.warnings.append(message)


def _labelled(builder: _Builder, meta: Metadata) -> None:
    seen: dict[str, str] = {}
    for pair in meta.pairs:
        if pair.key == "extra":
            if pair.value:
                builder.notice.extra.setdefault(pair.label, pair.value)
            builder.result.sources.setdefault("extra", []).extend(pair.source)
            continue
        value: str | None = None if NONE_VALUE.fullmatch(pair.value) else pair.value
        if value and pair.key in (*DATE_KEYS, "published"):
            value = _iso(value, keep_time=pair.key == "published")
        elif value and pair.key == "doc_no":
            value = _normal_doc_no(value)
        if pair.key in seen:
            if value and value != seen[pair.key]:
                builder.warn(f"{pair.label} given twice: kept {seen[pair.key]}, ignored {value} "
                             f"(line {pair.source[0].number})")
            builder.result.sources[pair.key].extend(pair.source)
            continue
        seen[pair.key] = value or ""
        builder.set(pair.key, value, pair.source,
                    inferred="the unlabelled date under the page's heading" if pair.unlabelled else "")


def _page_meta(builder: _Builder, skeleton: Skeleton, page_meta: dict[str, str]) -> None:
    """Values from a saved page's <meta> tags (ArticleTitle, PubDate, ContentSource) where
    the text gives none: the portal's own record, so not a guess, but marked as taken
    from the page (`page_meta`) and never preferred to the notice's text."""
    for key, value in sorted(page_meta.items()):
        if getattr(builder.notice, key) or (key == "title" and skeleton.title):
            continue
        filled = _iso(value, keep_time=True) if key == "published" else value
        if filled:
            builder.set(key, filled, [])
            builder.notice.page_meta.append(key)


def _matching(attachments: list[Attachment], name: str, taken: set[int]) -> int | None:
    """The listed attachment a file's name or a link's text names, by title."""
    return next((i for i, a in enumerate(attachments) if i not in taken and name and (
        name in a.title or a.title in name or SequenceMatcher(None, name, a.title).ratio() >= TITLE_SIMILARITY)),
        None)


def _downloads(builder: _Builder, downloads: list[Line]) -> None:
    """A scraped download list names the attachment files; a file that names no listed
    attachment (by title, else by number) is an attachment of its own."""
    attachments = builder.notice.attachments
    taken: set[int] = set()
    for line in downloads:
        number, name = file_name(line.text) or (None, line.text)
        match = _matching(attachments, name, taken)
        if match is None and _matching(attachments, name, set()) is not None:
            builder.result.sources.setdefault("attachments", []).append(line)
            continue  # the same attachment in another format: 规则.pdf beside 规则.ofd
        if match is None and number is not None:
            match = next((i for i, a in enumerate(attachments) if i not in taken and a.number == number), None)
        if match is None:
            attachments.append(Attachment(number, name, False))
            match = len(attachments) - 1
        taken.add(match)
        builder.result.sources.setdefault("attachments", []).append(line)


def _links(builder: _Builder, links: tuple[Link, ...]) -> None:
    """Links to attachment files give their attachment a URL; a link that names no listed
    attachment is an attachment of its own."""
    attachments = builder.notice.attachments
    for link in links:
        name = FILE_NAME_END.sub("", ATTACHMENT_PREFIX.sub("", link.text)).strip()
        linked = {i for i, a in enumerate(attachments) if a.url is not None}
        match = _matching(attachments, name, linked)
        if match is not None:
            attachments[match] = replace(attachments[match], url=link.url)
        elif all(a.url != link.url for a in attachments):
            attachments.append(Attachment(None, name or link.text, False, url=link.url))


def _first_paragraph(blocks: list[Block]) -> Line | None:
    return next((b.line for b in blocks if isinstance(b, Paragraph)), None)


def _cover_title(builder: _Builder, skeleton: Skeleton, name: str, sentence: str) -> str:
    """The standard title of a 印发/转发 cover letter: {发文机关}关于印发《X》的通知."""
    issuer = " ".join(name for line in skeleton.signers for name in _signers(line.text)) \
        or builder.notice.publisher or ""
    verb = "转发" if "转发" in sentence else "印发"
    return f"{issuer}关于{verb}《{name}》的通知"


def _infer_title(builder: _Builder, skeleton: Skeleton) -> None:
    """A notice that prints no title gets the one its cover letter implies, marked as a
    guess; with no cover letter, none: its opening words are no title, and the editor is
    told to write one."""
    for block in skeleton.blocks:
        if isinstance(block, Paragraph) and (match := COVER_NAME.search(block.line.text)):
            builder.set("title", _cover_title(builder, skeleton, match["name"], block.line.text), [block.line],
                        inferred="the document its cover letter issues (the standard title of a 印发 notice)")
            return
    cover = next((b.line for b in skeleton.blocks if isinstance(b, Paragraph) and COVER_VERB.search(b.line.text)),
                 None)
    printed = next((s for s in skeleton.sections if s.title and s.kind == "document"), None)
    if cover and printed:
        name = "".join(line.text for line in printed.title)
        builder.set("title", _cover_title(builder, skeleton, name, cover.text), [cover, *printed.title],
                    inferred="the document its cover letter issues (the standard title of a 印发 notice)")
        return
    first = _first_paragraph(skeleton.blocks)
    lead_in = LEAD_IN.match(CLAUSE_END.split(first.text, maxsplit=1)[0]) if first else None
    if first and lead_in:
        builder.set("title", lead_in["subject"], [first], inferred="the subject its opening sentence names")
        return
    builder.warn("no title: the text starts without one; write the notice's title into its front matter")


def _printed(builder: _Builder, key: str, printed: str, lines: list[Line]) -> None:
    """A value printed in the document (its title, its 发文字号) where the metadata labels
    one too: the label's is the portal's record, and the printed one is kept where the two
    differ."""
    if printed.replace(" ", "") == str(getattr(builder.notice, key)).replace(" ", ""):
        builder.result.sources[key].extend(lines)
        return
    label = PRINTED_LABELS[key]
    builder.notice.extra.setdefault(label, printed)
    builder.result.sources.setdefault("extra", []).extend(lines)
    builder.warn(f"{LABELS_CN[key]} differs from the one printed in the text, kept under extra as {label}: {printed}")


def _agree(one: str, other: str) -> bool:
    """Two forms of one title: the same but for spaces, an issuer prefix (平潭综合实验区管委会
    关于… over 关于…) or a 发文字号 in brackets. Any other difference is a different title."""
    one, other = squeeze(without_doc_no(one)[0]), squeeze(without_doc_no(other)[0])
    return one in other or other in one


def _page_title_part(page_title: str) -> str | None:
    """The title in a browser title line: the part, between the site's names, that reads as one."""
    parts = [part.strip(" 【】") for part in PAGE_TITLE_SHAPE.split(page_title)]
    return next((part for part in parts if looks_like_title(part)), None)


def _title(builder: _Builder, skeleton: Skeleton) -> None:
    """The printed title where the document prints one that the page's label or heading
    agrees with (it is the fuller form: portals' labels drop the issuer); else the label,
    the portal's heading, the title in the page's title line, and last a guess."""
    printed = "".join(line.text for line in skeleton.title)
    heading = "".join(line.text for line in skeleton.heading if looks_like_title(line.text))
    labelled = builder.notice.title
    if labelled and printed and not _agree(labelled, printed):
        _printed(builder, "title", printed, skeleton.title)
    elif printed:
        title, doc_no = without_doc_no(printed)
        builder.set("title", title, [*skeleton.heading, *skeleton.title])
        if doc_no and not builder.notice.doc_no:
            builder.set("doc_no", _normal_doc_no(doc_no), skeleton.title)
    elif labelled:
        pass
    elif heading:
        title, doc_no = without_doc_no(heading)
        builder.set("title", title, skeleton.heading)
        if doc_no and not builder.notice.doc_no:
            builder.set("doc_no", _normal_doc_no(doc_no), skeleton.heading, inferred="the page's heading")
    elif skeleton.page_title and (part := _page_title_part(skeleton.page_title.text)):
        builder.set("title", without_doc_no(part)[0], [skeleton.page_title], inferred="the page's title line")
    else:
        _infer_title(builder, skeleton)
    # The page's title line and heading are read for the title, whichever form won: the
    # report names them as its sources, so nothing of the page goes unaccounted for.
    evidence = [*([skeleton.page_title] if skeleton.page_title else []), *skeleton.heading]
    known = builder.result.sources.setdefault("title", [])
    known.extend(line for line in evidence if line not in known)
    title = builder.notice.title
    if title:
        title_inferred = "title" in builder.notice.inferred
        # The 文种 read off a real title is a fact; off an inferred title it is a guess.
        builder.set("doc_type", doc_type_of(title), builder.result.sources["title"],
                    inferred="the inferred title" if title_inferred else "")


def _signers(text: str) -> list[str]:
    """The signers on one line: spaced well apart, or by one space where each is a body's name."""
    apart = SIGNERS_APART.split(text)
    spaced = text.split()
    return spaced if len(apart) == 1 and len(spaced) > 1 and all(ORG.fullmatch(name) for name in spaced) else apart


def _signature(builder: _Builder, skeleton: Skeleton) -> None:
    if skeleton.addressee:
        builder.set("addressee", skeleton.addressee.text.rstrip(":："), [skeleton.addressee])
    if skeleton.signers:  # joint signers may share a line, spaced apart
        builder.set("signers", [name for line in skeleton.signers for name in _signers(line.text)], skeleton.signers)
    if skeleton.date:
        builder.set("signed", _iso(skeleton.date.text, keep_time=False), [skeleton.date])
    if skeleton.note:
        match = DISCLOSURE.match(NOTE.match(skeleton.note.text)["body"])  # type: ignore[index]
        if match and not builder.notice.disclosure:
            builder.set("disclosure", match["value"], [skeleton.note])


def _fill_gaps(builder: _Builder, skeleton: Skeleton, hints: list[Line]) -> None:
    notice = builder.notice
    if not notice.publisher:
        if skeleton.signers:
            builder.set("publisher", notice.signers[0], skeleton.signers[:1], inferred="the signature")
        elif notice.title and "关于" in notice.title and "title" not in notice.inferred:
            builder.set("publisher", notice.title.split("关于")[0] or None, builder.result.sources["title"],
                        inferred="the title")
        if not notice.publisher and hints:
            builder.set("publisher", hints[0].text, hints[:1], inferred="the portal's own name for its body")
    if not notice.written and notice.signed:
        builder.set("written", notice.signed, [skeleton.date] if skeleton.date else [],
                    inferred="the date under the signature")
    elif notice.written and notice.signed and notice.written != notice.signed:
        builder.warn(f"成文日期 {notice.written} differs from the date under the signature {notice.signed}")
    if not notice.doc_no and skeleton.doc_no:
        builder.set("doc_no", _normal_doc_no(skeleton.doc_no.text), [skeleton.doc_no],
                    inferred="the line under the title")
    elif skeleton.doc_no:
        _printed(builder, "doc_no", _normal_doc_no(skeleton.doc_no.text), [skeleton.doc_no])
    for key in EXPECTED_KEYS:
        if getattr(notice, key) in (None, ""):
            builder.warn(f"no {LABELS_CN[key]} ({key}) found; left empty")


def _items(skeleton: Skeleton) -> list[Item]:
    blocks = [*skeleton.blocks, *(b for s in skeleton.sections for b in s.blocks)]
    return [item for block in blocks if isinstance(block, AttachmentList) for item in block.items]


def _matches(section: Section, item: Item) -> bool:
    if section.number is not None and item.number is not None:
        return section.number == item.number
    title = "".join(line.text for line in section.title)
    return SequenceMatcher(None, title, item.title).ratio() >= TITLE_SIMILARITY


def _attachments(builder: _Builder, skeleton: Skeleton) -> None:
    items: list[Item] = []
    for item in _items(skeleton):
        if item.title and all(item.title != known.title for known in items):
            items.append(item)
    inline: dict[int, int] = {}  # item position → section index
    for index, section in enumerate(skeleton.sections):
        if section.kind != "attachment":
            continue
        candidates = [i for i, item in enumerate(items) if i not in inline and _matches(section, item)]
        if not candidates and len(items) - len(inline) == 1 and section.number is None:
            candidates = [i for i in range(len(items)) if i not in inline]
        if candidates:
            inline[candidates[0]] = index
            continue
        title = "".join(line.text for line in section.title)
        line = section.label or section.title[0]
        items.append(Item(section.number, title, line, line.text))
        inline[len(items) - 1] = index
        builder.warn(f"attachment {title or section.number} has its text in the notice "
                     "but is missing from the 附件说明 list")
    attachments = [Attachment(item.number, item.title, i in inline) for i, item in enumerate(items)]
    builder.set("attachments", attachments, [item.line for item in items])
    builder.result.anchors = {section: f"attachment-{item + 1}" for item, section in inline.items()}


def body_text(skeleton: Skeleton) -> str:
    lines = [*skeleton.body, *(line for s in skeleton.sections for line in s.title + s.lines)]
    return "\n".join(line.text for line in lines)


def assemble(source: str, meta: Metadata, skeleton: Skeleton, hints: list[Line], tag_rules: TagRules,
             downloads: list[Line], page_meta: dict[str, str] | None = None, links: tuple[Link, ...] = ()) \
        -> Assembled:
    """The notice; `hints` and `downloads` come from the portal's furniture
    (builder.normalize.furniture), `page_meta` and `links` from a saved HTML page
    (builder.normalize.html)."""
    builder = _Builder(source)
    _labelled(builder, meta)
    _page_meta(builder, skeleton, page_meta or {})
    _title(builder, skeleton)
    _signature(builder, skeleton)
    _fill_gaps(builder, skeleton, hints)
    _attachments(builder, skeleton)
    _downloads(builder, downloads)
    _links(builder, links)
    notice = builder.notice
    notice.tags = derive_tags(tag_rules, notice.title or "", notice.category or "", body_text(skeleton))
    notice.inferred = sorted(set(notice.inferred), key=FRONT_MATTER_KEYS.index)
    return builder.result
