"""Where each page of a site is: the one place that knows the site's addresses.

Every address is a path relative to the site's root, ending in `/` for a page (its file
is the folder's index.html). builder/paths.py checks every output path these make before
anything is written; templates get the same functions, so a link and the page it points
at cannot disagree.
"""

from __future__ import annotations

NOTICES = "notices/"
CONTENT_NOTICES = "content/notices/"  # where an editor keeps the notices, as messages name it
SEARCH = "search/"


def notice_page(slug: str) -> str:
    """A notice's page, notices/<slug>/: its address for links, feeds and the sitemap alike."""
    return f"{NOTICES}{slug}/"


def notice_file(slug: str, name: str) -> str:
    """An attachment file, served beside its notice's page."""
    return f"{notice_page(slug)}{name}"


def group_page(kind: str, slug: str) -> str:
    """The first list page of a topic, publisher or year: <kind>/<slug>/."""
    return f"{kind}/{slug}/"


def numbered_page(first: str, number: int) -> str:
    """Page `number` of a list that starts at `first`."""
    return first if number == 1 else f"{first}page/{number}/"


def page_file(path: str) -> str:
    """The file an address is served from."""
    return f"{path}index.html" if path.endswith("/") or not path else path


def content_file(name: str) -> str:
    """A notice's content file by its name, as messages name it."""
    return f"{CONTENT_NOTICES}{name}"
