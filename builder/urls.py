"""Where each page of a site is: the one place that knows the site's addresses.

Every address is a path relative to the site's root, ending in `/` for a page (its file
is the folder's index.html). builder/paths.py checks every output path these make before
anything is written; templates get the same functions, so a link and the page it points
at cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.schema import LABEL

NOTICES = "notices/"
CONTENT_NOTICES = "content/notices/"  # where an editor keeps the notices, as messages name it
SEARCH = "search/"


@dataclass(frozen=True)
class Section:
    """A part of the site that the navigation links to."""

    path: str  # its first page
    title: str  # in the navigation, and as its first page's title
    member: str = ""  # what one of its groups is called before its name (主题：教育); "" where none is


# The site's sections in the navigation's order, by the name code and templates know them by
# (for topics, publishers and archives, their groups' kind). Templates get this table, so a
# link, the page it points at and its title cannot disagree. One publisher is called by the
# site's own publisher_label, so that section has no member here.
SECTIONS: dict[str, Section] = {
    "home": Section("", "首页"),
    "notices": Section(NOTICES, "全部文件"),
    "topics": Section("topics/", LABEL["category"], "主题"),
    "publishers": Section("publishers/", LABEL["publisher"]),
    "archives": Section("archives/", "年度归档", "年度"),
    "subscribe": Section("subscribe/", "订阅"),
    "search": Section(SEARCH, "搜索"),
}


def notice_page(slug: str) -> str:
    """A notice's page, notices/<slug>/: its address for links, feeds and the sitemap alike."""
    return f"{NOTICES}{slug}/"


def is_notice_page(path: str) -> bool:
    """Whether a site path is the file of a notice's page (notices/<slug>/index.html)."""
    folder, _, name = path.rpartition("/")
    return name == "index.html" and folder.startswith(NOTICES) and "/" not in folder[len(NOTICES):]


def notice_file(slug: str, name: str) -> str:
    """An attachment file, served beside its notice's page."""
    return f"{notice_page(slug)}{name}"


def group_page(kind: str, slug: str) -> str:
    """The first list page of a topic, publisher or year: <kind>/<slug>/, in its kind's section."""
    return f"{SECTIONS[kind].path}{slug}/"


def numbered_page(first: str, number: int) -> str:
    """Page `number` of a list that starts at `first`."""
    return first if number == 1 else f"{first}page/{number}/"


def page_file(path: str) -> str:
    """The file an address is served from."""
    return f"{path}index.html" if path.endswith("/") or not path else path


def content_file(name: str) -> str:
    """A notice's content file by its name, as messages name it."""
    return f"{CONTENT_NOTICES}{name}"
