"""Rendering: Markdown bodies (the syntax the normaliser writes) and the Jinja2 theme."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
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


def theme_environment(site_theme: Path, default_theme: Path) -> Environment:
    """Jinja2 with autoescape on; a site's theme/templates/X wins over the default X."""
    folders = [str(folder / "templates") for folder in (site_theme, default_theme) if (folder / "templates").is_dir()]
    return Environment(
        loader=FileSystemLoader(list(dict.fromkeys(folders))),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
