"""Notice + skeleton → front-matter Markdown, byte-stable. The body's layout (its marks,
containers and escaping) is builder/body_format.py's."""

from __future__ import annotations

import yaml

from builder.body_format import ADDRESSEE, ATTACHMENT_LABEL, ATTACHMENTS, NOTE, SIGNATURE, container, escape, marked
from builder.model import Notice
from builder.normalize.blocks import AttachmentList, Block, Heading, heading_levels
from builder.normalize.html import Table
from builder.normalize.patterns import TABLE_MARK
from builder.normalize.structure import Section, Skeleton
from builder.tables import fenced_html_table, pipe_table


def table_markdown(table: Table) -> str:
    """A table of a saved page as Markdown: a pipe table, or a ```table block of HTML where
    cells span rows or columns, which pipe tables cannot show."""
    if table.spans:
        return fenced_html_table([[(c.text, c.rowspan, c.colspan, c.head) for c in row] for row in table.rows])
    return pipe_table([[cell.text for cell in row] for row in table.rows], escape)


def _paragraph(text: str, tables: tuple[Table, ...]) -> str:
    mark = TABLE_MARK.match(text)
    if mark and int(mark["n"]) < len(tables):
        return table_markdown(tables[int(mark["n"])])
    return escape(text)


def _blocks(blocks: list[Block], base_level: int, tables: tuple[Table, ...]) -> list[str]:
    levels = heading_levels(blocks, base_level)
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * levels[block.kind]} {escape(block.line.text)}")
        elif isinstance(block, AttachmentList):
            parts = [escape(block.head)] if block.head else []
            if block.items:
                parts.append("\n".join(f"- {escape(item.text)}" for item in block.items))
            out.append(container(ATTACHMENTS, "\n\n".join(parts)))
        else:
            out.append(_paragraph(block.line.text, tables))
    return out


def _section(section: Section, anchor: str | None, tables: tuple[Table, ...]) -> str:
    parts = []
    if section.label:
        parts.append(marked(ATTACHMENT_LABEL, escape(section.label.text), anchor))
    base = 2
    if section.title:
        parts.append("## " + escape("".join(line.text for line in section.title)))
        base = 3
    parts.extend(_blocks(section.blocks, base, tables))
    return container(section.kind, "\n\n".join(parts))  # an attachment or a document


def body_markdown(skeleton: Skeleton, anchors: dict[int, str], tables: tuple[Table, ...] = ()) -> str:
    """The body; `tables` are those of a saved HTML page, in the order of their marker lines."""
    parts: list[str] = []
    if skeleton.addressee:
        parts.append(marked(ADDRESSEE, escape(skeleton.addressee.text)))
    parts.extend(_blocks(skeleton.blocks, 2, tables))
    if skeleton.signers or skeleton.date:
        lines = [escape(line.text) for line in [*skeleton.signers, *([skeleton.date] if skeleton.date else [])]]
        parts.append(container(SIGNATURE, "\n\n".join(lines)))
    if skeleton.note:
        parts.append(marked(NOTE, escape(skeleton.note.text)))
    parts.extend(_section(section, anchors.get(index), tables) for index, section in enumerate(skeleton.sections))
    return "\n\n".join(parts) + "\n"


def front_matter_markdown(notice: Notice) -> str:
    """The content file of a notice: its front matter as YAML, then its body. The same
    notice always gives the same bytes, so normalize can tell a hand edit from its own work."""
    data = notice.front_matter()
    # libyaml's emitter where present: the same bytes as PyYAML's, much faster.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    dumped = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                       width=10_000)
    return f"---\n{dumped}---\n\n{notice.body}"
