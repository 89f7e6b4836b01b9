"""Why a notice was read as it was: the role and rule of each raw line, and for each field
the values considered, where each was read and the rule that chose the one kept.

`gongkai normalize --explain FILE` prints it; `--report` carries the same as JSON.
"""

from __future__ import annotations

from typing import Any
from unicodedata import east_asian_width

from builder.normalize.blocks import AttachmentList, Block, Heading, Paragraph
from builder.normalize.decode import Line
from builder.normalize.fields import Assembled, Candidate
from builder.normalize.furniture import Stripped
from builder.normalize.metadata import Metadata
from builder.normalize.rejoin import provenance
from builder.normalize.structure import Skeleton

HEADING_KINDS = {"part": "第一章", "subpart": "第一节", "chapter": "一、", "section": "（一）"}
SHOWN = 40  # characters of a line shown in the terminal


def _blocks(blocks: list[Block], where: str) -> list[tuple[Line, str]]:
    roles: list[tuple[Line, str]] = []
    for block in blocks:
        if isinstance(block, Heading):
            roles.append((block.line, f"{where}heading {HEADING_KINDS[block.kind]}"))
        elif isinstance(block, Paragraph):
            roles.append((block.line, f"{where}paragraph"))
        elif isinstance(block, AttachmentList):
            roles += [(item.line, f"{where}附件说明 item") for item in block.items]
    return roles


def line_roles(stripped: Stripped, meta: Metadata, skeleton: Skeleton) -> list[dict[str, Any]]:
    """Each raw line (or piece of one: a line run together from many is cut apart) with
    what it was read as, in the file's order."""
    roles: list[tuple[Line, str]] = [(piece.line, f"furniture: {piece.rule}") for piece in stripped.furniture]
    for pair in meta.pairs:
        label = f"{pair.label} (no label: a date under the heading)" if pair.unlabelled else pair.label
        roles += [(line, f"metadata: {label}") for line in pair.source]
    one = {"page title line": [skeleton.page_title], "发文字号": [skeleton.doc_no],
           "主送机关": [skeleton.addressee], "date under the signature": [skeleton.date], "附注": [skeleton.note]}
    roles += [(line, role) for role, lines in one.items() for line in lines if line is not None]
    roles += [(line, "page heading") for line in skeleton.heading]
    roles += [(line, "title") for line in skeleton.title]
    roles += [(line, "signer") for line in skeleton.signers]
    roles += _blocks(skeleton.blocks, "")
    for section in skeleton.sections:
        where = "attachment" if section.kind == "attachment" else "printed document"
        roles += [(line, f"{where}: label") for line in ([section.label] if section.label else [])]
        roles += [(line, f"{where}: title") for line in section.title]
        roles += _blocks(section.blocks, f"{where}: ")
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
                  "rule": assembled.chosen.get(key, "none of the candidates"),
                  "inferred": key in notice.inferred,
                  "candidates": _candidates(key, candidates)}
            for key, candidates in assembled.candidates.items()}


def _padded(text: str, width: int) -> str:
    """`text` padded to `width` columns of a terminal, where a Chinese character takes two."""
    return text + " " * max(0, width - sum(2 if east_asian_width(char) in "WF" else 1 for char in text))


def render(source: str, explained: dict[str, Any]) -> str:
    """The explanation as a reader of a terminal wants it."""
    out = [f"{source}", "fields:"]
    for key, field in explained["fields"].items():
        guess = " (a guess)" if field["inferred"] else ""
        out.append(f"  {key}: {field['value']}{guess}  ← {field['rule']}")
        for candidate in field["candidates"]:
            lines = ", ".join(str(n) for n in candidate["lines"]) or "-"
            out.append(f"      candidate {candidate['value']!s:.{SHOWN}}  [{candidate['rule']}; line {lines}]")
    out.append("lines:")
    out += [f"  {entry['line']:>4}  {_padded(entry['role'], 34)} {entry['text'][:SHOWN]}"
            for entry in explained["lines"]]
    return "\n".join(out)
