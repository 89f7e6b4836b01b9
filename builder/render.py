"""The Jinja2 theme."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape


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
