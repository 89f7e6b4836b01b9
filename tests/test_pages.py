"""What readers meet on the seed site's pages: open data in its published shape, the 文件信息
grid, one attachment list, guesses said in words, phones and print, in Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import jsonschema
import pytest
from playwright.sync_api import Browser, Page

from tests.helpers import Served

QZ = "notices/qz01113-1000-2024-00008/"  # 发文字号, two inline attachments
SM = "notices/sm05104-0300-2023-00006/"  # a guessed title
LC = "notices/2022-04-15-9ca854bc/"  # a guessed publisher, no 发文字号
SY = "notices/sy0024784891202400022/"  # an attachment's own 附件说明 names a file not online


# How many lines each element matching a selector takes.
LINES = """selector => [...document.querySelectorAll(selector)].map(element => {
    const range = document.createRange(); range.selectNodeContents(element);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size; })"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 812})
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_notices_json_is_open_data_in_the_shape_of_its_schema(served_site: Served) -> None:
    public = served_site.public
    schema = json.loads((public / "notices.schema.json").read_text(encoding="utf-8"))
    records = json.loads((public / "notices.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(records, schema, format_checker=jsonschema.FormatChecker())
    assert len(records) == 5
    text = (public / "notices.json").read_text(encoding="utf-8")
    for working_note in ("seeds/", '"inferred"', '"warnings"', '"source"', "inferred from", '"slug"'):
        assert working_note not in text
    qz = next(r for r in records if r["url"] == served_site.base + QZ)
    assert qz["doc_no"] == "泉鲤政教〔2024〕15号" and qz["validity"] is None  # no 有效性 stated or dated
    assert qz["attachments"][1] == {"number": 2, "title": "鲤城区2024年初幼特教月份主要工作安排",
                                    "url": served_site.base + QZ + "#attachment-2"}
    sy = next(r for r in records if r["url"] == served_site.base + SY)
    assert sy["attachments"][1]["url"] is None  # not online


def test_the_schema_rejects_what_is_no_public_metadata() -> None:
    from builder.opendata import schema_text

    schema = json.loads(schema_text())
    good = {"url": "https://example.gov.cn/notices/a/", "title": "通知", "index_no": None, "doc_no": None,
            "publisher": None, "category": None, "written": "2024-02-21", "published": "2024-02-23T09:39:00+08:00",
            "effective": None, "expires": None, "validity": None, "disclosure": None, "tags": [], "extra": {},
            "attachments": []}
    jsonschema.validate([good], schema)
    for bad in ({**good, "source": "seeds/a.txt"}, {**good, "written": "2024年2月21日"},
                {**good, "attachments": [{"number": 1, "title": "表", "url": "a.pdf"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([bad], schema)


def item_boxes(page: Page) -> dict[str, dict]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.meta-item')].map(item => {
        const box = item.getBoundingClientRect();
        return [item.querySelector('dt').textContent, {x: box.x, y: box.y, width: box.width}]; }))""")


def test_the_metadata_block_is_two_columns_on_a_desktop_and_one_on_a_phone(served_site: Served, desktop: Page,
                                                                           phone: Page) -> None:
    desktop.goto(served_site.base + QZ)
    boxes = item_boxes(desktop)
    for left, right in (("索引号", "主题词"), ("发布机构", "成文日期"), ("发文字号", "发布日期")):
        assert boxes[left]["y"] == boxes[right]["y"] and boxes[left]["x"] < boxes[right]["x"], (left, right)
    assert boxes["标题"]["width"] > 1.9 * boxes["索引号"]["width"]  # a row of its own
    phone.goto(served_site.base + QZ)
    boxes = item_boxes(phone)
    assert len({round(box["x"]) for box in boxes.values()}) == 1
    assert len({round(box["y"]) for box in boxes.values()}) == len(boxes)


def test_topic_tags_take_the_place_of_a_missing_category(served_site: Served) -> None:
    qz = (served_site.public / QZ / "index.html").read_text(encoding="utf-8")
    assert "<dt>主题词</dt>\n<dd>教育、学前教育、义务教育、特殊教育、招生</dd>" in qz and "<dt>主题分类</dt>" not in qz
    sy = (served_site.public / SY / "index.html").read_text(encoding="utf-8")
    assert "<dt>主题分类</dt>\n<dd>科技、教育、知识产权-教育</dd>" in sy and "<dt>主题词</dt>" not in sy


def test_each_attachment_is_listed_once_in_the_notices_own_list(served_site: Served) -> None:
    for path in (QZ, SY, LC):
        html = (served_site.public / path / "index.html").read_text(encoding="utf-8")
        assert "attachment-section" not in html, path
        lists = re.findall(r'<div class="attachments">(.*?)</div>', html, re.S)
        items = [re.sub(r"<[^>]+>", "", item) for block in lists for item in re.findall(r"<li>(.*?)</li>", block)]
        assert items and len(items) == len(set(items)), path
    qz = (served_site.public / QZ / "index.html").read_text(encoding="utf-8")
    assert '<li><a href="#attachment-2">2.鲤城区2024年初幼特教月份主要工作安排</a></li>' in qz


def test_an_attachment_file_is_described_in_the_list(served_site: Served) -> None:
    """The 附件说明 item links the file beside the page and gives its type and size."""
    from builder.model import Attachment, Notice
    from builder.views import attachment_views, link_attachment_lists

    notice = Notice(title="通知", attachments=[Attachment(1, "名单", False, file="md.pdf"),
                                               Attachment(2, "表", False, url="https://example.gov.cn/b.xlsx"),
                                               Attachment(None, "另表", False)])
    views = attachment_views(notice, None)
    body = '<div class="attachments">\n<p>附件：</p>\n<ul>\n<li>1.名单</li>\n<li>2.表</li>\n</ul>\n</div>'
    (linked,), unlisted = link_attachment_lists([body], notice, views)
    assert '<li><a href="md.pdf">1.名单</a></li>' in linked
    assert '<li><a href="https://example.gov.cn/b.xlsx">2.表</a> <span class="file-info">（XLSX）</span></li>' in linked
    assert [view.named for view in unlisted] == ["另表"]  # no number is made up for it


def test_guessed_values_are_said_in_words(served_site: Served) -> None:
    sm = (served_site.public / SM / "index.html").read_text(encoding="utf-8")
    assert '<p class="inferred-note" data-pagefind-ignore>本页标题据正文整理，原文未列出标题。</p>' in sm
    lc = (served_site.public / LC / "index.html").read_text(encoding="utf-8")
    assert '">泉州市鲤城区教育局</a> <span class="inferred">（据正文整理）</span>' in lc
    assert "本页标题据正文整理" not in lc and "据正文推断" not in lc


def test_phone_header_is_small_and_the_title_shows_on_the_first_screen(served_site: Served, phone: Page) -> None:
    for path in (QZ, SM, LC):
        phone.goto(served_site.base + path)
        header = phone.locator(".site-header").bounding_box()
        title = phone.locator("h1").bounding_box()
        assert header is not None and header["height"] <= 812 / 6, path
        assert title is not None and title["y"] + title["height"] <= 812, path
        # labels never break inside a word: each on one line
        assert set(phone.evaluate(LINES, ".meta-item dt")) == {1}, path
    phone.goto(served_site.base + "notices/")
    assert set(phone.evaluate(LINES, ".notice-facts .dated")) == {1}


def test_titles_keep_their_last_characters_together(served_site: Served, phone: Page) -> None:
    phone.goto(served_site.base + SM)
    assert phone.locator("h1 .keep").inner_text() == "通知"
    assert phone.evaluate("getComputedStyle(document.querySelector('h1')).textWrap").startswith("balance")
    # no line of a heading holds a single character
    singles = phone.evaluate("""() => [...document.querySelectorAll('h1, h2, h3, .notice-link')].filter(h => {
        const range = document.createRange(); range.selectNodeContents(h);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const lines = new Map(); rects.forEach(r => lines.set(Math.round(r.top), (lines.get(Math.round(r.top)) || 0)
            + r.width));
        const size = parseFloat(getComputedStyle(h).fontSize);
        return lines.size > 1 && [...lines.values()].some(width => width < 1.5 * size); }).map(h => h.textContent)""")
    assert singles == []


def test_a_notice_without_doc_no_keeps_the_space_under_its_title(served_site: Served, desktop: Page) -> None:
    gaps = []
    for path in (QZ, LC):  # with and without 发文字号
        desktop.goto(served_site.base + path)
        gaps.append(desktop.evaluate("""() => document.querySelector('.notice-body').getBoundingClientRect().top
            - document.querySelector('h1').getBoundingClientRect().bottom"""))
    assert gaps[0] == gaps[1]


def test_the_home_page_heading_is_the_site_name_in_the_header(served_site: Served) -> None:
    home = (served_site.public / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<h1[^>]*>([^<]*)</h1>", home) == ["教育信息公开"]
    assert '<h1 class="site-name">' in home
    notice = (served_site.public / QZ / "index.html").read_text(encoding="utf-8")
    assert '<p class="site-name">' in notice


def test_print_follows_gb_t_9704(served_site: Served, desktop: Page) -> None:
    desktop.goto(served_site.base + QZ)
    desktop.emulate_media(media="print")
    family = "el => getComputedStyle(el).fontFamily.split(',')[0].replaceAll('\"', '')"
    assert desktop.eval_on_selector(".notice-title", family) == "公文小标宋"
    assert desktop.eval_on_selector(".attachment > h2", family) == "公文小标宋"
    assert desktop.eval_on_selector(".attachment h3", family) == "公文黑体"  # 一级 in an attachment
    assert desktop.eval_on_selector("body", family) == "公文仿宋"
    for selector in (".signature", ".note"):
        assert desktop.eval_on_selector(selector, "el => getComputedStyle(el).breakBefore") == "avoid"
    assert desktop.eval_on_selector(".file-info, .attachments a", "el => getComputedStyle(el).color") == "rgb(0, 0, 0)"
    rules = desktop.evaluate("""[...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r instanceof
        CSSPageRule).map(r => r.cssText).join(' ')""")
    assert "counter(page)" in rules
