"""Markdown → HTML with the syntax the normaliser writes (attributes and containers)."""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.container import container_plugin

# Containers the normaliser emits: see builder/normalize/emit.py.
CONTAINERS = ("signature", "attachments", "attachment", "document")


def markdown_renderer() -> MarkdownIt:
    """CommonMark with raw HTML off: text from content is always shown, never run."""
    md = MarkdownIt("commonmark", {"html": False}).use(attrs_block_plugin)
    for name in CONTAINERS:
        md.use(container_plugin, name=name)
    return md
