"""sitemap.xml by the sitemaps.org schemas: one file while the site fits one, a sitemap
index over files of at most `sitemap_max_urls` URLs past it (50,000 at most, the protocol's
limit; a small limit here), robots.txt naming the index either way."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import run_cli

SCHEMAS = Path(__file__).parent / "schemas"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def build(site: Path, extra: str = "") -> Path:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    assert run_cli("normalize", cwd=site).returncode == 0
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    return site / "public"


def test_one_file_while_the_site_fits_one(site: Path) -> None:
    public = build(site)
    document = etree.parse(str(public / "sitemap.xml"))
    schema("sitemap.xsd").assertValid(document)
    notices = sorted(p.parent.name for p in (public / "notices").glob("*/index.html"))
    locs = document.xpath("//s:loc/text()", namespaces=NS)
    assert all(any(loc.endswith(f"/notices/{slug}/") for loc in locs) for slug in notices)
    assert not list(public.glob("sitemap-*.xml"))


def test_an_index_over_files_of_the_limit_past_it(site: Path) -> None:
    public = build(site, "sitemap_max_urls: 7\n")
    index = etree.parse(str(public / "sitemap.xml"))
    schema("siteindex.xsd").assertValid(index)
    parts = [loc.rsplit("/", 1)[1] for loc in index.xpath("//s:sitemap/s:loc/text()", namespaces=NS)]
    assert parts == [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)] and len(parts) >= 2
    locs = []
    for part in parts:
        document = etree.parse(str(public / part))
        schema("sitemap.xsd").assertValid(document)
        found = document.xpath("//s:loc/text()", namespaces=NS)
        assert 1 <= len(found) <= 7
        locs += found
    assert len(locs) == len(set(locs)) and any(loc.endswith("/notices/") for loc in locs)
    robots = (public / "robots.txt").read_text(encoding="utf-8")
    assert robots.splitlines()[-1] == "Sitemap: https://example.gov.cn/xxgk/sitemap.xml"
    # back under the limit: the chunks go with the next build
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8").replace(
        "sitemap_max_urls: 7\n", ""), encoding="utf-8")
    assert run_cli("build", cwd=site).returncode == 0
    assert not list(public.glob("sitemap-*.xml"))
    schema("sitemap.xsd").assertValid(etree.parse(str(public / "sitemap.xml")))


@pytest.mark.parametrize("value", ["0", "50001", "-3"])
def test_the_limit_is_checked(site: Path, value: str) -> None:
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"sitemap_max_urls: {value}\n", encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert "sitemap_max_urls: expected a whole number from 1 to 50000" in result.stderr
