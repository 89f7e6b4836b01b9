"""WCAG 2.1 AA in a real browser (axe-core in Debian's Chromium) and valid HTML (Nu Html
Checker), on every page type of the site built from the seeds."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.helpers import AXE, VNU, Served, axe_violations


def page_types(served: Served) -> list[str]:
    """One URL of every kind of page, and every notice page."""
    public = served.public
    paths = ["", "notices/", "topics/", "publishers/", "archives/", "subscribe/", "search/", "404.html"]
    paths += [f"notices/{p.parent.name}/" for p in sorted((public / "notices").glob("*/index.html"))]
    for kind in ("topics", "publishers", "archives"):
        first = sorted((public / kind).glob("*/index.html"))[0]
        paths.append(f"{kind}/{first.parent.name}/")
    return [served.base + path for path in paths]


@pytest.fixture
def page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_axe_finds_no_violation_on_any_page_type(served_site: Served, page: Page) -> None:
    report = {}
    for url in page_types(served_site):
        page.goto(url)
        report[url] = axe_violations(page)
    assert report == {url: [] for url in report}, json.dumps(report, ensure_ascii=False, indent=1)


def test_axe_in_large_text_mode_and_on_a_phone(served_site: Served, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(served_site.base + "notices/qz01113-1000-2024-00008/")
    page.click(".large-text-toggle")
    assert axe_violations(page) == []
    context.close()


def test_vnu_finds_no_error_in_the_whole_site(served_site: Served) -> None:
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                             str(served_site.public)], capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or "{}").get("messages", [])
    assert messages == [], json.dumps(messages[:10], ensure_ascii=False, indent=1)
    assert result.returncode == 0


@pytest.mark.parametrize("width", [320, 640])  # 640 CSS px is a 1280 px screen at 200% zoom
def test_no_horizontal_scroll_on_narrow_screens(served_site: Served, browser: Browser, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    for url in page_types(served_site):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {width}px"
    context.close()


def test_large_text_mode_is_big_enough_and_remembered(served_site: Served, page: Page) -> None:
    page.goto(served_site.base + "notices/qz01113-1000-2024-00008/")
    toggle = page.locator(".large-text-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    size, line = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('.notice-body p'));
        return [parseFloat(s.fontSize), parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; }""")
    assert size >= 18 and line >= 1.5
    page.goto(served_site.base + "topics/")
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert page.locator(".large-text-toggle").get_attribute("aria-pressed") == "true"


def test_keyboard_reaches_skip_link_then_main(served_site: Served, page: Page) -> None:
    page.goto(served_site.base + "notices/sm05104-0300-2023-00006/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_pages_read_without_javascript(served_site: Served, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site.base + "notices/qz01113-1000-2024-00008/")
    assert "区教师进修学校" in page.inner_text("main")
    assert not page.locator(".large-text-toggle").is_visible()
    context.close()


def test_heading_levels_never_skip(served_site: Served, page: Page) -> None:
    for url in page_types(served_site):
        page.goto(url)
        levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
        assert levels.count(1) == 1, url
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{url}: h{before} then h{after}"


def test_print_stylesheet_prints_like_paper(served_site: Served, page: Page) -> None:
    page.goto(served_site.base + "notices/qz01113-1000-2024-00008/")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.notice-title')).textAlign") == "center"
    assert "FangSong" in page.evaluate("getComputedStyle(document.body).fontFamily")


def test_checkers_are_installed() -> None:
    assert AXE.is_file() and VNU.is_file(), "run `npm ci` (see .ci/run)"
    assert Path("/usr/bin/chromium").is_file(), "install Debian's chromium (see .ci/run)"
