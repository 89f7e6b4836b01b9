"""The layout of a notice's body in its content file: the contract between the normaliser,
which writes it (builder/normalize/emit.py), and the builder, which reads it
(builder/markdown.py, builder/views.py).

A body is CommonMark in which the elements of a 公文 (GB/T 9704) are marked so the theme can
lay them out: attribute lines `{.addressee}`, `{.note}` and `{#attachment-N .attachment-label}`
on the paragraph below them, and containers `::: signature`, `::: attachments` (附件说明),
`::: attachment` (an attachment's own text) and `::: document` (the document a cover letter
prints); a container holding another is marked with one colon more. Every line of text is
escaped, so Markdown never changes it (`1.` never becomes a list). No Markdown parser is
needed to write or to cut a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Classes of attribute lines: the block below is the addressee, the 附注, an attachment's label.
ADDRESSEE, NOTE, ATTACHMENT_LABEL = "addressee", "note", "attachment-label"
MARKED = frozenset({ADDRESSEE, NOTE, ATTACHMENT_LABEL})
ANCHOR = re.compile(r"attachment-[0-9]+")  # the ids notices link their attachments by

SIGNATURE, ATTACHMENTS, ATTACHMENT, DOCUMENT = "signature", "attachments", "attachment", "document"
CONTAINERS = (SIGNATURE, ATTACHMENTS, ATTACHMENT, DOCUMENT)
# Where the notice ends and the texts it carries (attachments, a printed document) begin.
APPENDIX_START = re.compile(rf"^:{{3,}} (?:{ATTACHMENT}|{DOCUMENT})[ \t]*$", re.MULTILINE)
NESTED = re.compile(r"^:::", re.MULTILINE)

ANYWHERE = re.compile(r"([\\`*_\[\]<])")
ENTITY = re.compile(r"&(?=#?\w+;)")
AT_LINE_START = re.compile(r"^(#|>|[-+=~|{]|:(?=::))")
NUMBERED_START = re.compile(r"^(\d+)([.)])")


def escape(text: str) -> str:
    """Text that Markdown renders exactly as written. (Each substitution runs only where it
    can apply: this is called for every line of every notice.)"""
    text = ANYWHERE.sub(r"\\\1", text)
    if "&" in text:
        text = ENTITY.sub("\\\\&", text)
    if NUMBERED_START.match(text):
        text = NUMBERED_START.sub(r"\1\\\2", text)
    return AT_LINE_START.sub(r"\\\1", text) if AT_LINE_START.match(text) else text


def marked(kind: str, markdown: str, anchor: str | None = None) -> str:
    """A block marked as the `kind` of element it is (an attribute line above it)."""
    return f"{{#{anchor} .{kind}}}\n{markdown}" if anchor else f"{{.{kind}}}\n{markdown}"


def anchor(number: int) -> str:
    """The id of a notice's attachment `number` (from 1), which its 附件说明 links to."""
    return f"attachment-{number}"


def container(name: str, inner: str) -> str:
    """`inner` in the container `name`; one holding a container is marked with one colon
    more, as the inner one would otherwise end it."""
    fence = "::::" if NESTED.search(inner) else ":::"
    return f"{fence} {name}\n{inner}\n{fence}"


def split_appendix(body: str) -> tuple[str, str]:
    """The notice's own text, and the texts it carries after it (attachments, a printed document)."""
    start = APPENDIX_START.search(body)
    cut = start.start() if start else len(body)
    return body[:cut], body[cut:]


# How the blocks the layout marks begin (attribute lines, containers) and the Markdown
# blocks that are never prose (headings, lists): none of them is a notice's first paragraph.
NOT_PROSE = ("{", ":::", "#", "- ")


def prose_blocks(body: str) -> Iterator[str]:
    """The body's blocks that may be prose, in order: what a feed's summary is taken from."""
    for block in body.split("\n\n"):
        block = block.strip()
        if block and not block.startswith(NOT_PROSE):
            yield block
