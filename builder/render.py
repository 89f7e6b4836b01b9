"""Rendering: Markdown bodies (the syntax the normaliser writes) and the Jinja2 theme."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.container import container_plugin

from builder.tables import SCROLL_CLOSE, SCROLL_OPEN, TABLE_FENCE_INFO, render_table_fence

# Containers the normaliser emits: see builder/normalize/emit.py.
CONTAINERS = ("signature", "attachments", "attachment", "document")


def markdown_renderer() -> MarkdownIt:
    """CommonMark with raw HTML off (text from content is always shown, never run), pipe
    tables, and ```table blocks for tables with merged cells (builder/tables.py)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table").use(attrs_block_plugin)
    for name in CONTAINERS:
        md.use(container_plugin, name=name)
    default_fence = md.renderer.rules["fence"]

    def fence(renderer, tokens, index, options, env):  # type: ignore[no-untyped-def]
        token = tokens[index]
        if token.info.strip() == TABLE_FENCE_INFO:
            return render_table_fence(token.content)
        return default_fence(tokens, index, options, env)

    md.add_render_rule("fence", fence)
    md.add_render_rule("table_open", lambda *_: SCROLL_OPEN + "<table>\n")
    md.add_render_rule("table_close", lambda *_: "</table>\n" + SCROLL_CLOSE)
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
