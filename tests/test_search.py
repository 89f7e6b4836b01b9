"""Full-text search: the Pagefind index built by `gongkai build`, searched in headless
Chromium over HTTP from a sub-path deployment, as a reader would."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from builder.search import SHARD_SIZE, plan_shards
from tests.helpers import (
    Preview,
    Served,
    axe_violations,
    build_counts,
    files_in,
    free_port,
    generate_site,
    http_server,
    read_notice,
    run_cli,
    site_tree,
)


@pytest.fixture
def page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def notices(root: Path) -> dict[str, tuple[dict, str]]:
    """Front matter and body of every notice, by slug (the page's folder name)."""
    return {path.stem: read_notice(path) for path in sorted((root / "content/notices").glob("*.md"))}


def search(page: Page, base: str, query: str = "", **filters: str) -> list[str]:
    """The slugs of the notices a search lists, in order, after loading every result."""
    params = "&".join(f"{k}={quote(v)}" for k, v in {"q": query, **filters}.items())
    page.goto(f"{base}search/?{params}")
    page.wait_for_function("document.getElementById('search-status').textContent.includes('文件')")
    while page.is_visible("#search-more"):
        shown = page.locator("#search-list li").count()
        page.click("#search-more")
        page.wait_for_function(f"document.querySelectorAll('#search-list li').length > {shown}")
    return [re.search(r"/notices/([^/]+)/$", href).group(1)
            for href in page.eval_on_selector_all("#search-list a.notice-link", "links => links.map(a => a.href)")]


def test_a_document_number_finds_its_notice(served_site: Served, page: Page) -> None:
    number = "泉鲤政教〔2024〕15号"
    expected = [slug for slug, (front, _) in notices(served_site.root).items() if front.get("doc_no") == number]
    assert len(expected) == 1
    assert search(page, served_site.base, number)[:1] == expected
    facts = page.inner_text("#search-list li:first-child .notice-facts")
    assert number in facts and "2024年" in facts  # 发文字号 and the date come with the result


def test_a_two_character_word_inside_a_body_finds_exactly_the_notices_that_use_it(
        served_site: Served, page: Page) -> None:
    expected = {slug for slug, (_, body) in notices(served_site.root).items() if "双减" in body}
    assert 2 <= len(expected) < len(notices(served_site.root))
    assert set(search(page, served_site.base, "双减")) == expected
    assert page.locator("#search-list mark", has_text="双减").count() >= len(expected)  # matches are highlighted


def test_a_publisher_name_finds_its_notices(served_site: Served, page: Page) -> None:
    by_publisher: dict[str, set[str]] = {}
    for slug, (front, _) in notices(served_site.root).items():
        by_publisher.setdefault(front["publisher"], set()).add(slug)
    publisher = "清流县教育局"
    assert set(search(page, served_site.base, publisher)) == by_publisher[publisher]
    # the filter narrows to one publisher's notices, with or without words to search for
    assert set(search(page, served_site.base, "", publisher=publisher)) == by_publisher[publisher]


def test_year_filter_and_newest_first_sort(served_site: Served, page: Page) -> None:
    dated = {slug: (front.get("published") or front.get("written") or "") for slug, (front, body) in
             notices(served_site.root).items() if "双减" in body}
    of_2024 = sorted((day, slug) for slug, day in dated.items() if day.startswith("2024"))
    assert of_2024
    assert search(page, served_site.base, "双减", year="2024", sort="date") == [s for _, s in reversed(of_2024)]
    assert page.input_value("#search-year") == "2024"  # the form shows what was searched


def test_no_match_says_so(served_site: Served, page: Page) -> None:
    assert search(page, served_site.base, "量子纠缠") == []
    assert "没有找到" in page.inner_text("#search-status")


def test_search_from_any_page_by_keyboard(served_site: Served, page: Page) -> None:
    page.goto(served_site.base + "topics/")
    page.focus("#header-search-q")
    page.keyboard.type("清流县教育局")
    page.keyboard.press("Enter")
    page.wait_for_url("**/xxgk/search/?q=*")
    page.wait_for_function("document.querySelectorAll('#search-list li').length > 0")
    assert page.evaluate("document.activeElement.id") == "search-results-heading"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('notice-link')")
    assert axe_violations(page) == []


def test_without_javascript_the_page_explains_and_links_elsewhere(served_site: Served, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site.base + "search/?q=双减")
    text = page.inner_text("main")
    assert "需要浏览器启用 JavaScript" in text
    links = page.eval_on_selector_all(".search-noscript a", "links => links.map(a => a.getAttribute('href'))")
    assert {"../topics/", "../archives/"} <= set(links)
    context.close()


def test_only_notice_pages_are_indexed_one_shard_a_year(served_site: Served) -> None:
    counts = {entry.parent.name: json.loads(entry.read_text(encoding="utf-8"))["languages"]["zh-cn"]["page_count"]
              for entry in (served_site.public / "pagefind").glob("*/pagefind-entry.json")}
    years: dict[str, int] = {}
    for front, _ in notices(served_site.root).values():
        day = front.get("published") or front.get("written")
        years[day[:4] if day else "undated"] = years.get(day[:4] if day else "undated", 0) + 1
    assert counts == years
    # and none of Pagefind's ready-made UIs, which the 搜索 page does not use
    assert not [p for p in (served_site.public / "pagefind").rglob("*") if "ui" in p.name or "highlight" in p.name]


def test_an_edit_reindexes_only_its_shard(tmp_path: Path) -> None:
    generate_site(tmp_path, 40, search=True)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    index = tmp_path / "public/pagefind"
    before = files_in(index)
    notice = tmp_path / "content/notices/n0003.md"
    year = re.search(r"published: '(\d{4})", notice.read_text(encoding="utf-8")).group(1)
    notice.write_text(notice.read_text(encoding="utf-8").replace("第二段。", "第二段，改过。"), encoding="utf-8")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    after = files_in(index)
    changed = {p.split("/")[0] for p in before.keys() ^ after.keys()}
    changed |= {p.split("/")[0] for p in before.keys() & after.keys() if before[p] != after[p]}
    assert changed == {year}


def test_shards_split_a_large_year_stably() -> None:
    pages = {"2024": [f"notices/n{i:05d}/index.html" for i in range(2000)], "2023": ["notices/a/index.html"]}
    shards = plan_shards(pages)
    assert [s.name for s in shards] == ["2024-1", "2024-2", "2024-3", "2023"]
    assert sorted(p for s in shards for p in s.pages) == sorted(pages["2024"] + pages["2023"])
    assert max(len(s.pages) for s in shards) <= SHARD_SIZE
    grown = plan_shards({**pages, "2024": [*pages["2024"], "notices/new/index.html"]})
    assert sum(a != b for a, b in zip(shards, grown, strict=True)) == 1  # a new notice touches one shard


def test_an_edit_is_searchable_after_the_next_build(tmp_path: Path, page: Page) -> None:
    generate_site(tmp_path, 12, search=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    built = run_cli("build", "--base-url", base, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    with http_server(tmp_path / "public", port):
        assert search(page, base, "鹦鹉螺") == []
        notice = tmp_path / "content/notices/n0003.md"
        notice.write_text(notice.read_text(encoding="utf-8").replace("第二段。", "第二段，提到鹦鹉螺。"),
                          encoding="utf-8")
        rebuilt = run_cli("build", "--base-url", base, cwd=tmp_path)
        assert rebuilt.returncode == 0, rebuilt.stderr
        written, skipped, removed = build_counts(rebuilt.stdout)  # an incremental build: what shows the edit
        assert 0 < written < skipped and written + skipped == build_counts(built.stdout)[0] and not removed
        assert search(page, base, "鹦鹉螺") == ["n0003"]


def test_more_results_list_each_notice_once_however_often_clicked(tmp_path: Path, page: Page) -> None:
    generate_site(tmp_path, 12, search=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    assert run_cli("build", "--base-url", base, cwd=tmp_path).returncode == 0
    with http_server(tmp_path / "public", port):
        page.goto(f"{base}search/?q={quote('第一段')}")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('找到12份')")
        page.dblclick("#search-more")  # the second click lands while the first batch loads
        page.wait_for_selector("#search-more", state="hidden")
        page.wait_for_load_state("networkidle")  # a second batch, were one asked for, has arrived
        links = page.eval_on_selector_all("#search-list a.notice-link", "links => links.map(a => a.href)")
        assert len(links) == len(set(links)) == 12


def test_an_index_that_cannot_be_read_sends_readers_to_the_sites_own_sections(tmp_path: Path, page: Page) -> None:
    generate_site(tmp_path, 3, search=True)
    config = tmp_path / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "publisher_label: 发文单位\n", encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    assert run_cli("build", "--base-url", base, cwd=tmp_path).returncode == 0
    shutil.rmtree(tmp_path / "public/pagefind")  # a deployment that lost the index
    with http_server(tmp_path / "public", port):
        page.goto(f"{base}search/?q={quote('第一段')}")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('暂时无法使用')")
        assert page.text_content("#search-status") == "搜索暂时无法使用。请按主题分类、发文单位或年度归档查找文件。"


def test_search_can_be_switched_off(tmp_path: Path) -> None:
    generate_site(tmp_path, 3, search=True)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert list((tmp_path / "public/pagefind").glob("*/pagefind.js"))
    config = tmp_path / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "public/pagefind").exists() and not (tmp_path / "public/search").exists()
    assert "search/" not in (tmp_path / "public/index.html").read_text(encoding="utf-8")


def found_in_preview(page: Page, base: str, query: str) -> list[str] | None:
    """A search in the preview, whose pages reload themselves after each rebuild: a search
    cut short by a reload counts as not found yet."""
    try:
        return search(page, base, query)
    except PlaywrightError:
        return None


def test_the_preview_keeps_the_index_fresh(tmp_path: Path, page: Page) -> None:
    """The index is brought up to date beside the rebuilds, so an edit made while an earlier
    one is being indexed is shown at once, and both become searchable."""
    generate_site(tmp_path, 12, search=True)
    preview = Preview(tmp_path)
    try:
        preview.wait_for(lambda: bool(found_in_preview(page, preview.url, "第一段")), 90)  # the first index
        assert search(page, preview.url, "鹦鹉螺") == []
        edits = {"n0007": "鹦鹉螺", "n0003": "珊瑚礁"}
        for slug, word in edits.items():
            rebuilds = preview.rebuilds()
            notice = tmp_path / f"content/notices/{slug}.md"
            notice.write_text(notice.read_text(encoding="utf-8").replace("第二段。", f"第二段，提到{word}。"),
                              encoding="utf-8")
            preview.wait_for(lambda since=rebuilds: preview.rebuilds() > since)
        for slug, word in edits.items():
            preview.wait_for(lambda query=word, want=slug: found_in_preview(page, preview.url, query) == [want], 90)
    finally:
        preview.stop()


def test_a_template_edit_that_leaves_notice_pages_alone_keeps_the_index(tmp_path: Path) -> None:
    generate_site(tmp_path, 12, search=True)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    index = tmp_path / "public/pagefind"
    before = files_in(index)
    template = tmp_path / "theme/templates/404.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% extends "base.html" %}{% block main %}<h1>没有这个页面</h1>{% endblock %}',
                        encoding="utf-8")
    rebuilt = run_cli("build", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert build_counts(rebuilt.stdout)[0] == 1  # every page's key changed; the 404 page's bytes alone
    assert files_in(index) == before  # even Pagefind's unstable files


def test_on_a_phone_the_filters_fold_and_the_first_result_shows(served_site: Served, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    assert search(page, served_site.base, "课后服务")
    assert page.is_hidden("#search-filters") and page.is_visible(".search-filters-toggle")
    assert page.evaluate("document.querySelector('#search-list li').getBoundingClientRect().bottom") <= 740
    page.click(".search-filters-toggle")
    assert page.is_visible("#search-filters")
    assert page.get_attribute(".search-filters-toggle", "aria-expanded") == "true"
    # the heading takes the focus, without a ring: it is no control
    assert page.evaluate("getComputedStyle(document.getElementById('search-results-heading')).outlineStyle") == "none"
    context.close()


def test_excerpts_read_as_chinese_text(served_site: Served, page: Page) -> None:
    found = search(page, served_site.base, "课后服务")
    assert len(found) == 5  # every seed notice holds it
    titles = page.eval_on_selector_all("#search-list a.notice-link", "links => links.map(a => a.textContent)")
    excerpts = page.eval_on_selector_all(".search-excerpt", "ps => ps.map(p => p.textContent)")
    assert len(excerpts) == 5
    for title, excerpt in zip(titles, excerpts, strict=True):
        assert ". " not in excerpt and title not in excerpt
        text = excerpt.strip("…")
        for opening, closing in ("（）", "《》", "〔〕", "“”"):
            assert text.count(opening) == text.count(closing), excerpt


def test_undated_notices_have_a_year_option(served_site: Served, page: Page) -> None:
    undated = {slug for slug, (front, _) in notices(served_site.root).items()
               if not (front.get("published") or front.get("written"))}
    assert undated
    assert set(search(page, served_site.base, "", year="undated")) == undated
    assert page.inner_text("#search-year option[value=undated]") == "未注明年份"


def test_the_index_is_the_same_bytes_on_tmpfs_and_on_disk(tmp_path: Path) -> None:
    """Pagefind numbers pages in the order it is given them; a folder's listing order differs
    between file systems, so records are given in path order."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm")
    (tmp_path / "disk").mkdir()
    generate_site(tmp_path / "disk", 30, search=True)
    memory = Path(tempfile.mkdtemp(dir=shm))
    try:
        shutil.copytree(tmp_path / "disk", memory / "site")
        for root in (tmp_path / "disk", memory / "site"):
            assert run_cli("build", cwd=root).returncode == 0
        on_disk, in_memory = (site_tree(root / "public") for root in (tmp_path / "disk", memory / "site"))
        assert [p for p in on_disk if p.startswith("pagefind/")] and on_disk == in_memory
    finally:
        shutil.rmtree(memory)
