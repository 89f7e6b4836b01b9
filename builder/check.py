"""`gongkai check`: is the built site whole? Every page and feed parses, every link and
asset inside the site leads to a file, and the site says which address it was built for.

Run before a deploy (which refuses a site that fails it) and by hand after editing a theme.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from builder.errors import Problem
from builder.i18n import _
from builder.parallel import parallel_map

# gongkai check's own report (builder/inspection/report.py): not a page of the site, so
# neither checked as one nor deployed.
REPORT_DIR = "_inspection"
LINKING = (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("form", "action"))


@dataclass(frozen=True)
class Checked:
    """What `gongkai check` found in a built site: how many pages and links it read, what is
    wrong, the address the site was built for and the pages without the 网站标识码 tag. A
    deploy and the inspection read it too."""

    pages: int
    links: int
    problems: list[Problem]
    built_for: str | None  # the base URL the home page's canonical link names
    unmarked: list[str] = field(default_factory=list)  # pages without the SiteIDCode meta tag


def _target(page: str, href: str, base_path: str) -> str | None:
    """The site path a link leads to, None for links that leave the site, or "\0broken"
    for one no URL parser reads (http://[::1/x)."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return "\0broken"
    if parts.scheme or parts.netloc or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return None  # a query or fragment on this very page
    if path.startswith("/"):
        if not path.startswith(base_path):
            return "\0outside"
        joined = path[len(base_path):]
    else:
        joined = posixpath.join(posixpath.dirname(page), path)
    normal = posixpath.normpath(joined) if joined else "."
    if normal.startswith(".."):
        return "\0outside"
    if path.endswith("/") or normal == ".":
        normal = posixpath.join("" if normal == "." else normal, "index.html")
    return normal


def _check_page(args: tuple[str, str, str]) -> tuple[int, list[Problem], bool]:
    """The page's links checked, what is wrong with it, and whether it names the site's 网站标识码."""
    root, page, base_path = args
    file = os.path.join(root, page)
    problems: list[Problem] = []
    try:
        document = lxml.html.parse(file).getroot()
    except (OSError, etree.ParserError) as err:
        return 0, [Problem(file, _("does not parse as HTML: {reason}").format(reason=err))], True
    if document is None:
        return 0, [Problem(file, _("empty page"))], True
    links = 0
    for tag, attribute in LINKING:
        for element in document.iter(tag):
            href = (element.get(attribute) or "").strip()
            target = _target(page, href, base_path) if href else None
            if target is None:
                continue
            links += 1
            if target == "\0broken":
                problems.append(Problem(file, _("<{tag} {attribute}=\"{href}\"> is no URL").format(
                    tag=tag, attribute=attribute, href=href), element.sourceline, "link"))
            elif target == "\0outside" or not os.path.isfile(os.path.join(root, target)):
                problems.append(Problem(file, _("<{tag} {attribute}=\"{href}\"> leads to no file in the site").format(
                    tag=tag, attribute=attribute, href=href), element.sourceline, "link"))
    return links, problems, bool(document.xpath("//meta[@name='SiteIDCode'][@content!='']"))


def built_for(out: Path) -> str | None:
    """The base URL a built site was made for: its home page's canonical link."""
    try:
        document = lxml.html.parse(str(out / "index.html")).getroot()
    except (OSError, etree.ParserError):
        return None
    found = document.xpath("//link[@rel='canonical']/@href") if document is not None else []
    return str(found[0]) if found else None


def check_site(out: Path, jobs: int | None = None) -> Checked:
    """Check the built site in `out` whole: every page parsed and its links and assets
    followed to a file, every feed parsed as XML. A deploy publishes nothing that fails it."""
    if not (out / "index.html").is_file():
        return Checked(0, 0, [Problem(out.as_posix(), _("no built site here (no index.html): run gongkai build"))],
                       None)
    base = built_for(out)
    try:
        base_path = urlsplit(base).path if base else "/"
    except ValueError:  # a canonical link no URL parser reads: the pages' links are then checked from /
        base_path = "/"
    base_path = base_path if base_path.endswith("/") else base_path + "/"
    pages = sorted(path for p in out.rglob("*.html")
                   if not (path := p.relative_to(out).as_posix()).startswith(f"{REPORT_DIR}/"))
    problems: list[Problem] = []
    if base is None:
        problems.append(Problem((out / "index.html").as_posix(), _("the home page has no canonical link"),
                                field="link"))
    work = [(str(out), page, base_path) for page in pages]
    results = list(parallel_map(_check_page, work, jobs or os.cpu_count() or 1, chunksize=64))
    links = sum(count for count, _, _ in results)
    problems.extend(problem for _, found, _ in results for problem in found)
    unmarked = [page for page, (_, _, marked) in zip(pages, results, strict=True) if not marked]
    for feed in sorted(out.rglob("*.xml")):
        try:
            etree.parse(str(feed))
        except etree.XMLSyntaxError as err:
            problems.append(Problem(feed.as_posix(), _("not well-formed XML: {reason}").format(reason=err.msg),
                                    err.lineno))
    return Checked(len(pages), links, problems, base, unmarked)
