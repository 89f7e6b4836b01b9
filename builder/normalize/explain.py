"""Why a notice was read as it was: the role and rule of each raw line, and for each field
the values considered, where each was read and the rule that chose the one kept.

`gongkai normalize --explain FILE` prints it in the user's language; `--report` carries the
same as JSON, with roles and rules by their English names (builder.i18n.Phrase).
"""

from __future__ import annotations

from typing import Any
from unicodedata import east_asian_width

from builder.errors import field_name
from builder.i18n import N_, Phrase, _, said
from builder.normalize.blocks import AttachmentList, Block, Heading, Paragraph
from builder.normalize.decode import Line
from builder.normalize.fields import NONE_CHOSEN, Assembled, Candidate
from builder.normalize.furniture import Stripped
from builder.normalize.metadata import Metadata
from builder.normalize.rejoin import provenance
from builder.normalize.structure import Skeleton
from builder.schema import LABEL

HEADING_KINDS = {"chapter": "第一章", "section": "第一节", "level1": "一、", "level2": "（一）"}
SHOWN = 40  # characters of a line shown in the terminal
ROLE_WIDTH = 34  # terminal columns of the role, before the line's text

# What a line is read as: a place (furniture, metadata, an attachment, the document a cover
# letter issues) and what it is there.
IN_PLACE = N_("{where}: {what}")
FURNITURE, METADATA = Phrase(N_("furniture")), Phrase(N_("metadata"))
SECTIONS = {"attachment": Phrase(N_("attachment")), "document": Phrase(N_("printed document"))}
UNLABELLED = N_("{label} (no label: a date under the heading)")
HEADING, PARAGRAPH, ITEM = N_("heading {kind}"), Phrase(N_("paragraph")), Phrase(N_("附件说明 item"))
PAGE_TITLE_LINE, PAGE_HEADING, TITLE = Phrase(N_("page title line")), Phrase(N_("page heading")), Phrase(N_("title"))
SIGNER, SIGNED_DATE = Phrase(N_("signer")), Phrase(N_("date under the signature"))
SECTION_LABEL = Phrase(N_("label"))


def _in(where: Phrase | None, what: str) -> str:
    return Phrase(IN_PLACE, where=where, what=what) if where else what


def _blocks(blocks: list[Block], where: Phrase | None) -> list[tuple[Line, str]]:
    roles: list[tuple[Line, str]] = []
    for block in blocks:
        if isinstance(block, Heading):
            roles.append((block.line, _in(where, Phrase(HEADING, kind=HEADING_KINDS[block.kind]))))
        elif isinstance(block, Paragraph):
            roles.append((block.line, _in(where, PARAGRAPH)))
        elif isinstance(block, AttachmentList):
            roles += [(item.line, _in(where, ITEM)) for item in block.items]
    return roles


def line_roles(stripped: Stripped, meta: Metadata, skeleton: Skeleton) -> list[dict[str, Any]]:
    """Each raw line (or piece of one: a line run together from many is cut apart) with
    what it was read as, in the file's order."""
    roles: list[tuple[Line, str]] = [(piece.line, _in(FURNITURE, Phrase(piece.rule)))
                                     for piece in stripped.furniture]
    for pair in meta.pairs:
        label = Phrase(UNLABELLED, label=pair.label) if pair.unlabelled else pair.label
        roles += [(line, _in(METADATA, label)) for line in pair.source]
    one = {PAGE_TITLE_LINE: [skeleton.page_title], LABEL["doc_no"]: [skeleton.doc_no],
           LABEL["addressee"]: [skeleton.addressee], SIGNED_DATE: [skeleton.date], "附注": [skeleton.note]}
    roles += [(line, role) for role, lines in one.items() for line in lines if line is not None]
    roles += [(line, PAGE_HEADING) for line in skeleton.heading]
    roles += [(line, TITLE) for line in skeleton.title]
    roles += [(line, SIGNER) for line in skeleton.signers]
    roles += _blocks(skeleton.blocks, None)
    for section in skeleton.sections:
        where = SECTIONS["attachment" if section.kind == "attachment" else "document"]
        roles += [(line, _in(where, SECTION_LABEL)) for line in ([section.label] if section.label else [])]
        roles += [(line, _in(where, TITLE)) for line in section.title]
        roles += _blocks(section.blocks, where)
    found = [({"line": piece.number, "text": piece.text, "role": role}, piece.column)
             for line, role in roles for piece in provenance(line)]
    return [entry for entry, _ in sorted(found, key=lambda found: (found[0]["line"], found[1]))]


def _plain(key: str, value: Any) -> Any:
    """A field's value as JSON holds it: attachments by their count, relations as written."""
    if key == "attachments":
        return len(value)
    if isinstance(value, list):
        return [item.front_matter() if hasattr(item, "front_matter") else item for item in value]
    return value


def _candidates(key: str, candidates: list[Candidate]) -> list[dict[str, Any]]:
    """Each value considered once per rule, with every line it was read from."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for candidate in candidates:
        value = _plain(key, candidate.value)
        entry = merged.setdefault((candidate.rule, repr(value)), {"rule": candidate.rule, "value": value,
                                                                   "lines": []})
        entry["lines"] = sorted({*entry["lines"], *candidate.lines})
    return list(merged.values())


def field_choices(assembled: Assembled) -> dict[str, dict[str, Any]]:
    """Per field: the value kept, the rule it came by, and every value considered."""
    notice = assembled.notice
    return {key: {"value": _plain(key, getattr(notice, key)),
                  "rule": assembled.chosen.get(key, NONE_CHOSEN),
                  "inferred": key in notice.inferred,
                  "candidates": _candidates(key, candidates)}
            for key, candidates in assembled.candidates.items()}


def _padded(text: str, width: int) -> str:
    """`text` padded to `width` columns of a terminal, where a Chinese character takes two."""
    return text + " " * max(0, width - sum(2 if east_asian_width(char) in "WF" else 1 for char in text))


def render(source: str, explained: dict[str, Any]) -> str:
    """The explanation as a reader of a terminal wants it, in the user's language."""
    out = [f"{source}", _("fields:")]
    for key, field in explained["fields"].items():
        value = _("{value} (a guess)").format(value=field["value"]) if field["inferred"] else field["value"]
        out.append("  " + _("{field}: {value}  ← {rule}").format(field=field_name(key), value=value,
                                                                 rule=said(field["rule"])))
        for candidate in field["candidates"]:
            lines = _(", ").join(str(n) for n in candidate["lines"]) or "-"
            out.append("      " + _("candidate {value}  [{rule}; line {lines}]").format(
                value=f"{candidate['value']!s:.{SHOWN}}", rule=said(candidate["rule"]), lines=lines))
    out.append(_("lines:"))
    out += [f"  {entry['line']:>4}  {_padded(said(entry['role']), ROLE_WIDTH)} {entry['text'][:SHOWN]}"
            for entry in explained["lines"]]
    return "\n".join(out)
