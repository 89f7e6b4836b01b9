"""The preview's page while the site does not build: the 404 page of the last build that
worked (the site's stylesheet, header, 长者模式 and footer) holding what went wrong, with
file, line and field, the lines around the problem, and links to the pages still built.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from builder.errors import Problem, field_name
from builder.i18n import _
from builder.urls import NOTICES, notice_page

SHOWN_AROUND = 2  # lines shown either side of a problem's line
SHOWN_PAGES = 30  # notices of the last build the error page links to
ERROR_STYLE = ("<style>.build-problem pre{overflow-x:auto;border:1px solid #ccc;padding:.5em}"
               ".build-problem mark{display:block;background:#fde8e8;color:inherit;font-weight:bold}"
               ".build-problem dt{font-weight:bold;float:left;clear:left;margin-right:.5em}</style>")
MINIMAL_PAGE = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title></title></head>'
                '<body><main id="main"></main></body></html>')


def error_page(error: tuple[Problem, ...] | str, root: Path, site: Path) -> bytes:
    """What every page of the preview shows while the site does not build, inside the 404 page
    of the last build that worked: the site's stylesheet, header, 长者模式 and footer."""
    problems = () if isinstance(error, str) else error
    details = (f"<pre>{html.escape(error)}</pre>" if isinstance(error, str)
               else "".join(_problem_html(problem, root) for problem in problems))
    title = html.escape(_("The site could not be built"))
    advice = html.escape(_("Fix what is named below; this page reloads by itself when the site builds again."))
    broken = {Path(problem.file).stem for problem in problems}
    main = f"<h1>{title}</h1><p>{advice}</p>" + details + _pages_still_built(site, broken)
    shell = site / "404.html"
    page = shell.read_text(encoding="utf-8") if shell.is_file() else MINIMAL_PAGE
    opened, closed = re.search(r"<main[^>]*>", page), page.rfind("</main>")
    if opened is None or closed < 0:
        opened, closed, page = re.search(r"<main[^>]*>", MINIMAL_PAGE), MINIMAL_PAGE.rfind("</main>"), MINIMAL_PAGE
    assert opened is not None  # MINIMAL_PAGE has one
    page = page[:opened.end()] + main + page[closed:]
    page = re.sub(r"<title>.*?</title>", lambda _match: f"<title>{title}</title>", page, count=1, flags=re.DOTALL)
    return page.replace("</head>", ERROR_STYLE + "</head>", 1).encode("utf-8")


def _problem_html(problem: Problem, root: Path) -> str:
    facts = [(_("File"), problem.file)]
    facts += [(_("Line"), str(problem.line))] if problem.line else []
    facts += [(_("Field"), field_name(problem.field))] if problem.field else []
    rows = "".join(f"<dt>{html.escape(name)}</dt><dd>{html.escape(value)}</dd>" for name, value in facts)
    return (f'<section class="build-problem"><dl>{rows}</dl><p><strong>{html.escape(problem.message)}</strong></p>'
            f"{_excerpt(problem, root)}</section>")


def _excerpt(problem: Problem, root: Path) -> str:
    """The lines around the problem's line in its file, that line marked."""
    path = (root / problem.file).resolve()
    if problem.line is None or not path.is_relative_to(root.resolve()) or not path.is_file():
        return ""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    first = max(problem.line - SHOWN_AROUND, 1)
    shown = []
    for number in range(first, min(problem.line + SHOWN_AROUND, len(lines)) + 1):
        text = html.escape(f"{number:>4} │ {lines[number - 1]}")
        shown.append(f"<mark>{text}</mark>" if number == problem.line else text + "\n")
    label = html.escape(_("Line {line} of {file}").format(line=problem.line, file=problem.file))
    return f'<pre aria-label="{label}"><code>{"".join(shown)}</code></pre>'


def _pages_still_built(site: Path, broken: set[str]) -> str:
    """Links to pages of the last build that worked (served as they were, by `?last`)."""
    if not (site / "index.html").is_file():
        return ""
    folder = site / NOTICES
    slugs = sorted(p.name for p in folder.iterdir() if p.name not in broken and (p / "index.html").is_file()) \
        if folder.is_dir() else []
    home, heading = html.escape(_("Home page")), html.escape(_("Pages as last built"))
    lead = html.escape(_("These pages still open as the last build made them:"))
    links = [f'<li><a href="/?last">{home}</a></li>']
    links += [f'<li><a href="/{notice_page(slug)}?last">{html.escape(slug)}</a></li>' for slug in slugs[:SHOWN_PAGES]]
    return f"<h2>{heading}</h2><p>{lead}</p><ul>{''.join(links)}</ul>"
