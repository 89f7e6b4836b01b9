"""Labelled metadata + the document skeleton → one Notice (its fields' record: fields.py;
its title: titling.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from builder.body_format import anchor
from builder.config import TagRules
from builder.i18n import N_, for_content
from builder.model import Attachment
from builder.normalize.blocks import AttachmentList, Item
from builder.normalize.decode import Line
from builder.normalize.fields import (
    PRINTED_DOC_NO,
    SIGNATURE,
    SIGNED_DATE,
    Assembled,
    Fields,
    iso,
    normal_doc_no,
    signers_of,
)
from builder.normalize.html import Link
from builder.normalize.life import read_life
from builder.normalize.metadata import Metadata
from builder.normalize.patterns import DISCLOSURE, NOTE, file_name
from builder.normalize.structure import Section, Skeleton
from builder.normalize.tags import derive_tags
from builder.normalize.titling import choose_title, printed_value
from builder.schema import BY_KEY, DATES, FIELDS, KEYS

# Keys whose absence a reader of the notice would miss: null gets a warning.
EXPECTED_KEYS = tuple(spec.key for spec in FIELDS if spec.expected)

# A value that says there is none: 文号：无, —, 暂无, /
NONE_VALUE = re.compile(r"\s*(?:无|暂无|空|没有|无文号|[—\-－/／\\]+|null|none|n/?a)?\s*", re.IGNORECASE)
# A link's text as portals write it: 附件2：名单.xlsx → 名单
ATTACHMENT_PREFIX = re.compile(r"^\s*附\s*件\s*\d*\s*[:：.．、]?\s*(?:\d+\s*[.．、]\s*)?")
FILE_NAME_END = re.compile(r"\.[A-Za-z0-9]{1,5}$")
TITLE_SIMILARITY = 0.6


def _labelled(builder: Fields, meta: Metadata) -> None:
    seen: dict[str, str] = {}
    for pair in meta.pairs:
        if pair.key == "extra":
            if pair.value:
                builder.notice.extra.setdefault(pair.label, pair.value)
            builder.result.sources.setdefault("extra", []).extend(pair.source)
            continue
        value: str | None = None if NONE_VALUE.fullmatch(pair.value) else pair.value
        kind = BY_KEY[pair.key].kind
        if value and kind in DATES:
            value = iso(value, keep_time=kind.keeps_time)
        elif value and pair.key == "doc_no":
            value = normal_doc_no(value)
        if pair.key in seen:
            if value and value != seen[pair.key]:
                builder.warn(for_content("{label} given twice: kept {kept}, ignored {ignored} (line {line})").format(
                    label=pair.label, kept=seen[pair.key], ignored=value, line=pair.source[0].number))
            builder.result.sources[pair.key].extend(pair.source)
            continue
        seen[pair.key] = value or ""
        builder.set(pair.key, value, pair.source,
                    inferred=N_("the unlabelled date under the page's heading") if pair.unlabelled else "")


def _page_meta(builder: Fields, skeleton: Skeleton, page_meta: dict[str, str]) -> None:
    """Values from a saved page's <meta> tags (ArticleTitle, PubDate, ContentSource) where
    the text gives none: the portal's own record, so not a guess, but marked as taken
    from the page (`page_meta`) and never preferred to the notice's text."""
    for key, value in sorted(page_meta.items()):
        if getattr(builder.notice, key) or (key == "title" and skeleton.title):
            continue
        filled = iso(value, keep_time=True) if key == "published" else value
        if filled:
            builder.set(key, filled, [], rule=N_("the page's <meta> tags"))
            builder.notice.page_meta.append(key)


def _matching(attachments: list[Attachment], name: str, taken: set[int]) -> int | None:
    """The listed attachment a file's name or a link's text names, by title."""
    return next((i for i, a in enumerate(attachments) if i not in taken and name and (
        name in a.title or a.title in name or SequenceMatcher(None, name, a.title).ratio() >= TITLE_SIMILARITY)),
        None)


def _downloads(builder: Fields, downloads: list[Line]) -> None:
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


def _links(builder: Fields, links: tuple[Link, ...]) -> None:
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


def _signature(builder: Fields, skeleton: Skeleton) -> None:
    if skeleton.addressee:
        builder.set("addressee", skeleton.addressee.text.rstrip(":："), [skeleton.addressee],
                    rule=N_("the bodies named before the text, ending in ："))
    if skeleton.signers:  # joint signers may share a line, spaced apart
        builder.set("signers", [name for line in skeleton.signers for name in signers_of(line.text)],
                    skeleton.signers, rule=SIGNATURE)
    if skeleton.date:
        builder.set("signed", iso(skeleton.date.text, keep_time=False), [skeleton.date], rule=SIGNED_DATE)
    if skeleton.note:
        match = DISCLOSURE.match(NOTE.match(skeleton.note.text)["body"])  # type: ignore[index]
        if match and not builder.notice.disclosure:
            builder.set("disclosure", match["value"], [skeleton.note], rule=N_("the 附注 (此件…)"))


def _fill_gaps(builder: Fields, skeleton: Skeleton, hints: list[Line]) -> None:
    notice = builder.notice
    issuer = notice.title.split("关于")[0] if notice.title and "关于" in notice.title \
        and "title" not in notice.inferred else None
    publishers = [(SIGNATURE, notice.signers[0] if notice.signers else None, skeleton.signers[:1]),
                  (N_("the title's issuer (XX关于…)"), issuer, builder.result.sources.get("title", [])),
                  (N_("the portal's own name for its body"), hints[0].text if hints else None, hints[:1])]
    for rule, value, lines in publishers:
        if not notice.publisher and value:
            builder.set("publisher", value, lines, inferred=rule)
        else:
            builder.consider("publisher", rule, value, lines)
    if not notice.written and notice.signed:
        builder.set("written", notice.signed, [skeleton.date] if skeleton.date else [], inferred=SIGNED_DATE)
    elif notice.signed:
        builder.consider("written", SIGNED_DATE, notice.signed, [skeleton.date] if skeleton.date else [])
        if notice.written != notice.signed:
            builder.warn(for_content("{label} {written} differs from the date under the signature {signed}")
                         .format(label=BY_KEY["written"].label, written=notice.written, signed=notice.signed))
    elif notice.written and notice.signed and notice.written != notice.signed:
        builder.warn(for_content("{label} {written} differs from the date under the signature {signed}")
                     .format(label=BY_KEY["written"].label, written=notice.written, signed=notice.signed))
    if not notice.doc_no and skeleton.doc_no:
        builder.set("doc_no", normal_doc_no(skeleton.doc_no.text), [skeleton.doc_no], inferred=PRINTED_DOC_NO)
    elif skeleton.doc_no:
        printed_value(builder, "doc_no", normal_doc_no(skeleton.doc_no.text), [skeleton.doc_no])
    for key in EXPECTED_KEYS:
        if getattr(notice, key) in (None, ""):
            builder.warn(for_content("no {label} ({key}) found; left empty").format(label=BY_KEY[key].label, key=key))


def _items(skeleton: Skeleton) -> list[Item]:
    blocks = [*skeleton.blocks, *(b for s in skeleton.sections for b in s.blocks)]
    return [item for block in blocks if isinstance(block, AttachmentList) for item in block.items]


def _matches(section: Section, item: Item) -> bool:
    if section.number is not None and item.number is not None:
        return section.number == item.number
    title = "".join(line.text for line in section.title)
    return SequenceMatcher(None, title, item.title).ratio() >= TITLE_SIMILARITY


def _attachments(builder: Fields, skeleton: Skeleton) -> None:
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
        builder.warn(for_content("attachment {name} has its text in the notice but is missing from the 附件说明 list")
                     .format(name=title or section.number))
    attachments = [Attachment(item.number, item.title, i in inline) for i, item in enumerate(items)]
    builder.set("attachments", attachments, [item.line for item in items],
                rule=N_("the 附件说明, the attachments' own text and the page's files"))
    builder.result.anchors = {section: anchor(item + 1) for item, section in inline.items()}


def body_text(skeleton: Skeleton) -> str:
    lines = [*skeleton.body, *(line for s in skeleton.sections for line in s.title + s.lines)]
    return "\n".join(line.text for line in lines)


def assemble(source: str, meta: Metadata, skeleton: Skeleton, hints: list[Line], tag_rules: TagRules,
             downloads: list[Line], page_meta: dict[str, str] | None = None, links: tuple[Link, ...] = ()) \
        -> Assembled:
    """The notice; `hints` and `downloads` come from the portal's furniture
    (builder.normalize.furniture), `page_meta` and `links` from a saved HTML page
    (builder.normalize.html)."""
    builder = Fields(source)
    _labelled(builder, meta)
    _page_meta(builder, skeleton, page_meta or {})
    choose_title(builder, skeleton)
    _signature(builder, skeleton)
    _fill_gaps(builder, skeleton, hints)
    _attachments(builder, skeleton)
    _downloads(builder, downloads)
    _links(builder, links)
    read_life(builder, [*skeleton.body, *(line for section in skeleton.sections for line in section.lines)])
    notice = builder.notice
    notice.tags = derive_tags(tag_rules, notice.title or "", notice.category or "", body_text(skeleton))
    notice.inferred = sorted(set(notice.inferred), key=KEYS.index)
    return builder.result
