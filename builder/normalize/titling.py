"""The notice's title, chosen from what the page gives: the label, the printed title, the
portal's heading and the browser title line (builder.normalize.title reads them off the
head), or guessed from a 印发 cover letter; each considered value is noted for --explain."""

from __future__ import annotations

import re

from builder.i18n import N_, Phrase, for_content
from builder.normalize.blocks import Block, Paragraph
from builder.normalize.decode import Line
from builder.normalize.fields import (
    AGREED_TITLE,
    HEADING,
    PAGE_TITLE,
    PRINTED_DOC_NO,
    PRINTED_TITLE,
    Fields,
    normal_doc_no,
    signers_of,
)
from builder.normalize.patterns import doc_type_of, looks_like_title
from builder.normalize.structure import Skeleton
from builder.normalize.title import PAGE_TITLE_SHAPE, squeeze, without_doc_no
from builder.schema import LABEL

# A 印发/转发 cover letter names the document it carries in 《…》.
COVER_NAME = re.compile(r"(?:现将|印发|转发|发布)[^《。]{0,12}《(?P<name>[^》]{4,80})》")
# A cover letter that issues the document printed after it: 《X》…现印发给你们
COVER_VERB = re.compile(r"(?:印发|转发)给你们|现予(?:印发|发布|转发)|印发你们")
# An opening sentence that names its subject: 2020年…工作的总体要求是：…
SUBJECT_SENTENCE = re.compile(r"^(?P<subject>.{4,40}?)(?:的)?"
                              r"(?:总体要求|指导思想|主要任务|总体思路|工作要点|目标任务)是?$")
CLAUSE_END = re.compile(r"[:：,，。；;！？]")
# White space a page's line break left inside a title, between two Chinese characters (a
# single space between joint issuers' names stays).
WRAP_SPACE = re.compile(r"(?<=[\u4e00-\u9fff《》“”（）])(?:\u3000+|[ \u3000]{2,})(?=[\u4e00-\u9fff《》“”（）])")
# A 红头's 发文机关标志 run into the title it heads: 某某厅某某厅关于…
ISSUER_TWICE = re.compile(r"^(?P<org>[\u4e00-\u9fff（）]{4,30})(?P=org)(?=关于)")
# Labels `extra` keeps a printed title or 发文字号 under where the metadata says otherwise.
PRINTED_LABELS = {key: "正文" + LABEL[key] for key in ("title", "doc_no")}
BRACKETED_DOC_NO = Phrase(N_("the {doc_no} in the title's brackets"), doc_no=LABEL["doc_no"])


def _first_paragraph(blocks: list[Block]) -> Line | None:
    return next((b.line for b in blocks if isinstance(b, Paragraph)), None)


def _cover_title(builder: Fields, skeleton: Skeleton, name: str, sentence: str) -> str:
    """The standard title of a 印发/转发 cover letter: {发文机关}关于印发《X》的通知."""
    issuer = " ".join(name for line in skeleton.signers for name in signers_of(line.text)) \
        or builder.notice.publisher or ""
    verb = "转发" if "转发" in sentence else "印发"
    return f"{issuer}关于{verb}《{name}》的通知"


def _infer_title(builder: Fields, skeleton: Skeleton) -> None:
    """A notice that prints no title gets the one its cover letter implies, marked as a
    guess; with no cover letter, none: its opening words are no title, and the editor is
    told to write one."""
    for block in skeleton.blocks:
        if isinstance(block, Paragraph) and (match := COVER_NAME.search(block.line.text)):
            builder.set("title", _cover_title(builder, skeleton, match["name"], block.line.text), [block.line],
                        inferred=N_("the document its cover letter issues (the standard title of a 印发 notice)"))
            return
    cover = next((b.line for b in skeleton.blocks if isinstance(b, Paragraph) and COVER_VERB.search(b.line.text)),
                 None)
    printed = next((s for s in skeleton.sections if s.title and s.kind == "document"), None)
    if cover and printed:
        name = "".join(line.text for line in printed.title)
        builder.set("title", _cover_title(builder, skeleton, name, cover.text), [cover, *printed.title],
                    inferred=N_("the document its cover letter issues (the standard title of a 印发 notice)"))
        return
    first = _first_paragraph(skeleton.blocks)
    subject = SUBJECT_SENTENCE.match(CLAUSE_END.split(first.text, maxsplit=1)[0]) if first else None
    if first and subject:
        builder.set("title", subject["subject"], [first], inferred=N_("the subject its opening sentence names"))
        return
    builder.warn(for_content("no title: the text starts without one; write the notice's title into its front matter"))


def printed_value(builder: Fields, key: str, printed: str, lines: list[Line]) -> None:
    """A value printed in the document (its title, its 发文字号) where the metadata labels
    one too: the label's is the portal's record, and the printed one is kept where the two
    differ."""
    builder.consider(key, PRINTED_TITLE if key == "title" else PRINTED_DOC_NO, printed, lines)
    if printed.replace(" ", "") == str(getattr(builder.notice, key)).replace(" ", ""):
        builder.result.sources[key].extend(lines)
        return
    label = PRINTED_LABELS[key]
    builder.notice.extra.setdefault(label, printed)
    builder.result.sources.setdefault("extra", []).extend(lines)
    builder.warn(for_content("{label} differs from the one printed in the text, kept under extra as {extra}: {printed}")
                 .format(label=LABEL[key], extra=label, printed=printed))


def _agree(one: str, other: str) -> bool:
    """Two forms of one title: the same but for spaces, an issuer prefix (平潭综合实验区管委会
    关于… over 关于…) or a 发文字号 in brackets. Any other difference is a different title."""
    one, other = squeeze(without_doc_no(one)[0]), squeeze(without_doc_no(other)[0])
    return one in other or other in one


def _page_title_part(page_title: str) -> str | None:
    """The title in a browser title line: the part, between the site's names, that reads as one."""
    parts = [part.strip(" 【】") for part in PAGE_TITLE_SHAPE.split(page_title)]
    return next((part for part in parts if looks_like_title(part)), None)


def choose_title(builder: Fields, skeleton: Skeleton) -> None:
    """The printed title where the document prints one that the page's label or heading
    agrees with (it is the fuller form: portals' labels drop the issuer); else the label,
    the portal's heading, the title in the page's title line, and last a guess."""
    printed = "".join(line.text for line in skeleton.title)
    heading = "".join(line.text for line in skeleton.heading if looks_like_title(line.text))
    part = _page_title_part(skeleton.page_title.text) if skeleton.page_title else None
    labelled = builder.notice.title
    builder.consider("title", PRINTED_TITLE, without_doc_no(printed)[0], skeleton.title)
    builder.consider("title", HEADING, without_doc_no(heading)[0], skeleton.heading)
    builder.consider("title", PAGE_TITLE, part and without_doc_no(part)[0],
                     [skeleton.page_title] if part and skeleton.page_title else [])
    if labelled and printed and not _agree(labelled, printed):
        printed_value(builder, "title", printed, skeleton.title)
    elif printed:
        title, doc_no = without_doc_no(printed)
        builder.set("title", title, [*skeleton.heading, *skeleton.title],
                    rule=AGREED_TITLE if labelled else PRINTED_TITLE)
        if doc_no and not builder.notice.doc_no:
            builder.set("doc_no", normal_doc_no(doc_no), skeleton.title,
                        rule=BRACKETED_DOC_NO)
    elif labelled:
        pass
    elif heading:
        title, doc_no = without_doc_no(heading)
        builder.set("title", title, skeleton.heading, rule=HEADING)
        if doc_no and not builder.notice.doc_no:
            builder.set("doc_no", normal_doc_no(doc_no), skeleton.heading, inferred=HEADING)
    elif skeleton.page_title and part:
        builder.set("title", without_doc_no(part)[0], [skeleton.page_title], inferred=PAGE_TITLE)
    else:
        _infer_title(builder, skeleton)
    # The page's title line and heading are read for the title, whichever form won: the
    # report names them as its sources, so nothing of the page goes unaccounted for.
    evidence = [*([skeleton.page_title] if skeleton.page_title else []), *skeleton.heading]
    known = builder.result.sources.setdefault("title", [])
    known.extend(line for line in evidence if line not in known)
    chosen = builder.notice.title
    if chosen and (WRAP_SPACE.search(chosen) or ISSUER_TWICE.match(chosen)):
        builder.notice.title = chosen = ISSUER_TWICE.sub(r"\g<org>", WRAP_SPACE.sub("", chosen))
    if chosen:
        title_inferred = "title" in builder.notice.inferred
        # The 文种 read off a real title is a fact; off an inferred title it is a guess.
        builder.set("doc_type", doc_type_of(chosen), builder.result.sources["title"],
                    inferred=N_("the inferred title") if title_inferred else "", rule=N_("the title's last word"))
