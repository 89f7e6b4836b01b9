"""The theme: Jinja2 templates and static assets, a site's own theme/ over the default one."""

from __future__ import annotations

from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    meta,
    select_autoescape,
)

from builder.errors import Problem
from builder.keys import digest
from builder.schema import LABEL
from builder.urls import SECTIONS

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "theme"


def theme_environment(site_theme: Path) -> Environment:
    """Jinja2 with autoescape on; a site's theme/templates/X wins over the default X. Every
    template may use `label` (each field's label by its key) and `sections` (urls.SECTIONS)."""
    folders = [str(folder / "templates") for folder in (site_theme, DEFAULT_THEME) if (folder / "templates").is_dir()]
    env = Environment(
        loader=FileSystemLoader(list(dict.fromkeys(folders))),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # A template names a field by its key (label.published) and links a section by its name
    # (sections.topics.path), so neither a label nor an address is spelt in a theme.
    env.globals.update(label=LABEL, sections=SECTIONS)
    return env


def static_files(site_theme: Path) -> dict[str, Path]:
    """Static assets by name; the site's own theme wins over the default."""
    files: dict[str, Path] = {}
    for theme in (DEFAULT_THEME, site_theme):
        static = theme / "static"
        if static.is_dir():
            files.update({p.relative_to(static).as_posix(): p for p in sorted(static.rglob("*")) if p.is_file()})
    return dict(sorted(files.items()))


def template_problem(err: TemplateError) -> Problem:
    """A template error as one Problem, naming the template and its line where Jinja2 knows
    them, so a theme's mistake is a located error, not a traceback."""
    if isinstance(err, TemplateSyntaxError):
        return Problem(err.filename or err.name or "theme", err.message or str(err), err.lineno, "template")
    return Problem("theme", str(err), field="template")


def theme_keys(env: Environment, known: str | None, known_keys: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A digest of every template the site can use, and one for each template of itself and
    the templates it extends, includes or imports: a page is rendered again when one of
    those changes, not when any template does. A changed theme is compiled whole first, so
    a template error is reported before anything is rendered."""
    names = sorted(env.list_templates())
    # By text, not by file: a site keys the same wherever its folder is.
    sources = {name: env.loader.get_source(env, name)[0] for name in names}  # type: ignore[union-attr]
    whole = digest(sorted(sources.items()))
    if whole == known and known_keys.keys() == sources.keys():
        return whole, known_keys
    uses: dict[str, set[str]] = {}
    for name in names:
        env.get_template(name)
        found = list(meta.find_referenced_templates(env.parse(sources[name], name)))
        uses[name] = set(names) if None in found else {n for n in found if n}  # a name made at render time: any

    def closure(name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(uses.get(current, ()))
        return seen

    return whole, {name: digest([(used, sources.get(used)) for used in sorted(closure(name))]) for name in names}
