"""sitemap.xml, the sitemaps.org protocol: one file of every page's address while the site
fits one (50,000 URLs and 50 MB at most), else a sitemap index over sitemap-1.xml,
sitemap-2.xml … of that size each. robots.txt names sitemap.xml either way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
INDEX = "sitemap.xml"
MAX_URLS = 50_000  # the protocol's limits for one file
MAX_BYTES = 50 * 1024 * 1024
ENTRY_BYTES = 120  # an entry's markup and date beside its URL, at most


@dataclass(frozen=True)
class Entry:
    """A page the sitemap lists: its site path and, where known, the day it last changed."""

    path: str  # a site path such as notices/x/
    lastmod: str | None  # YYYY-MM-DD


def _document(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def urlset(entries: list[Entry], absolute: Callable[[str], str]) -> bytes:
    """A sitemap file of pages (<urlset>), their addresses made absolute by `absolute`."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})  # type: ignore[dict-item]
    for entry in entries:
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(entry.path)
        if entry.lastmod:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = entry.lastmod
    return _document(root)


def sitemap_index(names: list[str], absolute: Callable[[str], str]) -> bytes:
    """The sitemap index (<sitemapindex>) over the sitemap files `names`."""
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})  # type: ignore[dict-item]
    for name in names:
        sitemap = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = absolute(name)
    return _document(root)


def chunks(entries: list[Entry], max_urls: int) -> list[list[Entry]]:
    """The entries in files of at most `max_urls` each (one file while they fit one)."""
    size = min(max_urls, MAX_URLS)
    return [entries[start:start + size] for start in range(0, len(entries), size)] or [[]]


def chunk_name(number: int) -> str:
    """The name of the sitemap file `number` under the index."""
    return f"sitemap-{number}.xml"


def split_by_bytes(entries: list[Entry], absolute: Callable[[str], str]) -> list[list[Entry]]:
    """A chunk whose file could pass MAX_BYTES halved until each fits (only very long URLs
    can do that); measured by an upper bound of each entry's bytes, not by rendering."""
    bound = sum(len(absolute(entry.path).encode()) + ENTRY_BYTES for entry in entries)
    if len(entries) <= 1 or bound <= MAX_BYTES:
        return [entries]
    middle = len(entries) // 2
    return split_by_bytes(entries[:middle], absolute) + split_by_bytes(entries[middle:], absolute)


@dataclass(frozen=True)
class SitemapFile:
    """One file of the sitemap: a list of pages, or the index over such lists."""

    name: str
    entries: tuple[Entry, ...] = ()
    parts: tuple[str, ...] = ()  # the index's files

    def render(self, absolute: Callable[[str], str]) -> bytes:
        """The file's XML, its addresses made absolute by `absolute`."""
        return sitemap_index(list(self.parts), absolute) if self.parts else urlset(list(self.entries), absolute)


def plan_sitemaps(entries: list[Entry], max_urls: int, absolute: Callable[[str], str]) -> list[SitemapFile]:
    """sitemap.xml alone, or the chunks and, last, sitemap.xml as the index over them."""
    files = [part for chunk in chunks(entries, max_urls) for part in split_by_bytes(chunk, absolute)]
    if len(files) == 1:
        return [SitemapFile(INDEX, tuple(files[0]))]
    names = tuple(chunk_name(number) for number in range(1, len(files) + 1))
    return [*(SitemapFile(name, tuple(part)) for name, part in zip(names, files, strict=True)),
            SitemapFile(INDEX, parts=names)]
