"""One agency, one name: 泉州市鲤城区教育局 and 鲤城区教育局 (both seeds say so) get one
publisher page and one feed, by the site's publishers table or, without one, with a warning;
the notices keep the names their pages gave."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import read_notice, run_cli

FULL, SHORT = "泉州市鲤城区教育局", "鲤城区教育局"


def _build(site: Path, table: str = "") -> tuple[str, Path]:
    if table:
        (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") + table, encoding="utf-8")
    assert run_cli("normalize", cwd=site).returncode == 0
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return result.stdout, site / "public"


def _publisher_pages(public: Path) -> dict[str, str]:
    """Each publisher page's heading → its HTML."""
    pages = {}
    for page in (public / "publishers").glob("*/index.html"):
        html = page.read_text(encoding="utf-8")
        heading = re.search(r"<h1[^>]*>([^<]+)</h1>", html)[1]  # type: ignore[index]
        pages[heading.split("：")[-1].strip()] = html
    return pages


def test_a_name_that_ends_a_longer_one_is_one_agency_with_a_warning(site: Path) -> None:
    out, public = _build(site)
    assert f"warning: 发布机构 {SHORT} is taken for {FULL}" in out
    pages = _publisher_pages(public)
    assert FULL in pages and SHORT not in pages
    assert len(re.findall(r'href="[^"]*notices/[^"]+"', pages[FULL])) >= 2  # both names' notices
    publishers = {read_notice(p)[0]["publisher"] for p in (site / "content" / "notices").glob("*.md")}
    assert {FULL, SHORT} <= publishers  # the front matter keeps what each page said


def test_the_publishers_table_merges_without_a_warning(site: Path) -> None:
    out, public = _build(site, f"publishers:\n  - name: {FULL}\n    aliases: [{SHORT}]\n")
    assert "warning" not in out
    assert FULL in _publisher_pages(public) and SHORT not in _publisher_pages(public)


def test_a_name_listed_alone_keeps_its_own_page(site: Path) -> None:
    out, public = _build(site, f"publishers:\n  - name: {SHORT}\n")
    assert "warning" not in out
    assert {FULL, SHORT} <= _publisher_pages(public).keys()


def test_a_name_given_to_two_agencies_is_a_located_error(site: Path) -> None:
    table = f"publishers:\n  - name: {FULL}\n    aliases: [{SHORT}]\n  - name: {SHORT}\n"
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") + table, encoding="utf-8")
    result = run_cli("build", cwd=site)
    lines = (site / "site.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index(f"  - name: {SHORT}") + 1
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: site.yaml:{line}: publishers[1]: {SHORT} is already a name of "
                                     "publishers[0]: a name belongs to one agency")


def test_the_search_filter_names_the_agency(site_with_search: Path) -> None:
    _, public = _build(site_with_search)
    pages = [p.read_text(encoding="utf-8") for p in (public / "notices").glob("*/index.html")]
    filters = {m for page in pages for m in re.findall(r'data-pagefind-filter="publisher:([^"]+)"', page)}
    assert FULL in filters and SHORT not in filters
    shown = {m for page in pages for m in re.findall(r'data-pagefind-meta="publisher">([^<]+)<', page)}
    assert SHORT in shown  # each page still shows the name it was published under
