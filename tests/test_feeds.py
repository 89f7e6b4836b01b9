"""RSS 2.0 and Atom feeds: parsed by feedparser, validated by libxml2's RELAX NG validator
against the RSS 2.0 and RFC 4287 schemas in tests/schemas, through the real CLI."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from playwright.sync_api import Browser

from builder.feeds import GK_NS
from tests.helpers import Served, generate_site, read_notice, run_cli

SCHEMAS = Path(__file__).parent / "schemas"
RSS_SCHEMA = etree.RelaxNG(etree.parse(str(SCHEMAS / "rss2.rng")))
ATOM_SCHEMA = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


def feeds_in(public: Path) -> list[Path]:
    return sorted(public.rglob("feed.xml")) + sorted(public.rglob("atom.xml"))


def assert_valid(path: Path) -> None:
    schema = RSS_SCHEMA if path.name == "feed.xml" else ATOM_SCHEMA
    document = etree.parse(str(path))
    assert schema.validate(document), f"{path}: {schema.error_log.last_error}"
    ids = document.xpath("//guid/text() | //*[local-name()='entry']/*[local-name()='id']/text()")
    assert len(ids) == len(set(ids)), f"{path}: repeated guid"


def test_seed_feeds_parse_and_validate(served_site: Served) -> None:
    public = served_site.public
    feeds = feeds_in(public)
    topics = len(list((public / "topics").glob("*/index.html")))
    publishers = len(list((public / "publishers").glob("*/index.html")))
    assert len(feeds) == 2 * (1 + topics + publishers)
    notices = {read_notice(p)[0]["title"]: read_notice(p)[0]
               for p in (served_site.root / "content/notices").glob("*.md")}
    for path in feeds:
        assert_valid(path)
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            meta = notices[entry.title]
            assert entry.link.startswith(served_site.base + "notices/")
            assert sorted(t.term for t in entry.get("tags", [])) == sorted(meta["tags"])
            assert entry.get("author") == meta["publisher"]
            day = meta["published"] or meta["written"]
            if day:
                stamp = entry.get("published") or entry.get("updated")
                moment = parsedate_to_datetime(stamp) if "," in stamp else datetime.fromisoformat(stamp)
                assert moment.utcoffset() == timedelta(hours=8), stamp
                assert moment.date().isoformat() == day[:10]
    site = feedparser.parse((public / "feed.xml").read_bytes())
    assert [e.title for e in site.entries][:2] == [
        "上海市崇明区教育局关于印发《上海市崇明区教育局2024年工作要点》的通知",
        "泉州市鲤城区教育局关于印发《鲤城区2024年初等与学前教育工作意见》的通知"]
    assert site.entries[-1].title == "2020年平顶山市基础教育工作"  # undated, so last
    assert site.feed.updated == "Mon, 26 Feb 2024 00:00:00 +0800"  # the newest item, not the clock


def test_items_carry_summary_and_attachment_links(served_site: Served) -> None:
    parsed = feedparser.parse((served_site.public / "feed.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.title.startswith("泉州市鲤城区教育局关于印发《鲤城区"))
    assert entry.description.startswith("<p>现将《鲤城区教育局初幼特教2024年工作要点》")
    assert f'href="{served_site.base}notices/qz01113-1000-2024-00008/#attachment-2"' in entry.description
    assert "附件2：鲤城区2024年初幼特教月份主要工作安排" in entry.description
    assert entry.guid == entry.link


def test_feeds_are_linked_from_pages_and_the_subscribe_page(served_site: Served) -> None:
    public = served_site.public
    topic = (public / "topics/education/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/rss+xml" title="教育信息公开" href="../../feed.xml">' in topic
    assert 'type="application/rss+xml" title="教育信息公开 · 主题：教育" href="feed.xml">' in topic
    # the page's own link leads readers to the 订阅 page's row that explains its feed
    assert '<a href="../../subscribe/#feed-topics-education">订阅本页的新文件</a>' in topic
    notice = (public / "notices/sm05104-0300-2023-00006/index.html").read_text(encoding="utf-8")
    assert 'type="application/rss+xml" title="教育信息公开" href="../../feed.xml"' in notice
    subscribe = (public / "subscribe/index.html").read_text(encoding="utf-8")
    for path in feeds_in(public):
        assert path.relative_to(public).as_posix() in subscribe
    assert re.search(r'<tr id="feed-all">\s*<th scope="row">全部文件</th>\s*<td>5</td>\s*'
                     r'<td><time datetime="2024-02-26">2024年2月26日</time></td>', subscribe)
    assert re.search(r'<tr id="feed-topics-education">\s*<th scope="row">主题：教育</th>', subscribe)


def test_a_feed_opened_in_the_browser_is_a_page_by_css_alone(served_site: Served, browser: Browser) -> None:
    """No XSLT (browsers are removing it; Chromium already covers such a page with a
    warning): the feed's own CSS shows its title first, then its notices."""
    for path in feeds_in(served_site.public):
        head = path.read_bytes()[:300].decode(errors="ignore")
        assert "text/xsl" not in head
        assert re.search(r'<\?xml-stylesheet type="text/css" href="[./]*static/feed\.css"\?>', head), path
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(served_site.base + "topics/education/feed.xml")
    title = page.locator("channel > title")
    assert title.text_content() == "教育信息公开 · 主题：教育"
    box = title.bounding_box()
    assert box is not None and box["y"] < 812 / 2
    assert page.locator("item > title").first.is_visible() and page.locator("item > title").count() == 5
    assert not page.locator("item > description").first.is_visible()
    assert "RSS 阅读器" in page.evaluate("getComputedStyle(document.documentElement, '::before').content")
    page.close()


# What a reader sees of each item of a feed page: the text of its visible elements, and the
# box of its title and of its date (gongkai's gk:date, the one element that shows a date).
ITEMS_AS_SEEN = """(items, ns) => items.map(item => {
    const walk = document.createTreeWalker(item, NodeFilter.SHOW_TEXT), seen = [];
    while (walk.nextNode()) {
        const text = walk.currentNode.data.trim(), parent = walk.currentNode.parentElement;
        if (text && parent.checkVisibility()) seen.push(text);
    }
    const box = element => element && element.checkVisibility() ? element.getBoundingClientRect().toJSON() : null;
    const title = [...item.children].find(child => child.localName === "title");
    return {seen, title: box(title), date: box(item.getElementsByTagNameNS(ns, "date")[0])};
})"""
CN_DAY = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def without_extensions(data: bytes) -> bytes:
    """The feed as it was before gongkai's own elements: what a reader knew of it."""
    document = etree.fromstring(data)
    for element in document.xpath("//*[namespace-uri()=$ns]", ns=GK_NS):
        element.getparent().remove(element)
    return etree.tostring(document)


def stamps(entry: feedparser.FeedParserDict) -> tuple[str | None, str | None]:
    """An entry's published and updated strings as the feed gives them (no fallback of one
    for the other, which feedparser's own get makes, with a warning)."""
    return dict.get(entry, "published"), dict.get(entry, "updated")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_feed_in_the_browser_shows_chinese_dates_and_readers_keep_rfc_dates(
        served_site: Served, browser: Browser, width: int) -> None:
    """The page shows 2024年2月26日 under each dated item's title, never the RFC 822 or RFC 3339
    string a reader needs (CSS cannot reformat it); an undated item shows no date; feedparser
    reads the same dates as from the feed without gongkai's own elements, and it is valid."""
    notices = {meta["title"]: meta for meta, _ in map(read_notice, (served_site.root / "content/notices").glob("*.md"))}
    for name, tag in (("feed.xml", "item"), ("atom.xml", "entry"), ("topics/education/feed.xml", "item")):
        path = served_site.public / name
        assert_valid(path)
        data = path.read_bytes()
        parsed, before = feedparser.parse(data), feedparser.parse(without_extensions(data))
        assert parsed.bozo == 0 and before.bozo == 0
        assert list(map(stamps, parsed.entries)) == list(map(stamps, before.entries))
        assert all({k: v for k, v in e.items() if not k.startswith("gk_")} == b for e, b in
                   zip(parsed.entries, before.entries, strict=True))
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(served_site.base + name)
        items = page.locator(tag).evaluate_all(ITEMS_AS_SEEN, GK_NS)
        assert len(items) == len(parsed.entries) > 0
        for item, entry in zip(items, parsed.entries, strict=True):
            meta, text = notices[entry.title], "\n".join(item["seen"])
            assert not any(stamp and stamp in text for stamp in stamps(entry))
            assert not re.search(r"\d{2}:\d{2}:\d{2}|\+0800|\+08:00|T\d{2}:", text), text
            day = meta["published"] or meta["written"]
            if not day:  # undated: Atom's entry still has the feed's date, not shown
                assert item["date"] is None and not CN_DAY.search(text), text
                continue
            year, month, date = (int(part) for part in day[:10].split("-"))
            assert f"{year}年{month}月{date}日" in text, text
            title, shown = item["title"], item["date"]
            assert shown is not None and shown["y"] >= title["y"] + title["height"] - 1  # under the title
            assert shown["x"] + shown["width"] <= width  # on the screen, even on a phone
        first = items[0]["seen"]
        assert first[0].startswith("上海市崇明区教育局关于印发") and first[1] == "2024年2月26日", first
        assert "Mon, 26 Feb 2024" not in first and "2024-02-26" not in "".join(first)
        page.close()
    site = feedparser.parse((served_site.public / "feed.xml").read_bytes())
    assert [e.published for e in site.entries[:2]] == ["Mon, 26 Feb 2024 00:00:00 +0800",
                                                       "Fri, 23 Feb 2024 09:39:00 +0800"]
    assert site.entries[1].gk_date == "2024年2月23日 09:39"  # as the site's lists print it
    atom = feedparser.parse((served_site.public / "atom.xml").read_bytes())
    assert [e.published for e in atom.entries[:2]] == ["2024-02-26T00:00:00+08:00", "2024-02-23T09:39:00+08:00"]


def test_generated_site_of_200_notices(tmp_path: Path) -> None:
    generate_site(tmp_path, 200)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    public = tmp_path / "public"
    for path in feeds_in(public):
        assert_valid(path)
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0
        assert 0 < len(parsed.entries) <= 50
    site = feedparser.parse((public / "feed.xml").read_bytes())
    moments = [e.published_parsed for e in site.entries]
    assert len(site.entries) == 50 and moments == sorted(moments, reverse=True)
    assert all(e.published.endswith("+0800") for e in site.entries)


def test_hostile_text_gives_well_formed_feeds(tmp_path: Path) -> None:
    generate_site(tmp_path, 3)
    hostile = tmp_path / "content/notices/n0001.md"
    hostile.write_text(hostile.read_text(encoding="utf-8")
                       .replace("title: 示例通知第1号", 'title: "a < b & c ]]> d \\x01\\x1f e"')
                       .replace("这是第1号通知的第一段。", "<b>粗</b> & ]]> \x0b 控制字符"), encoding="utf-8")
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for path in feeds_in(tmp_path / "public"):
        assert_valid(path)
        assert feedparser.parse(path.read_bytes()).bozo == 0
    titles = [e.title for e in feedparser.parse((tmp_path / "public/feed.xml").read_bytes()).entries]
    assert "a < b & c ]]> d  e" in titles


def test_editing_one_notice_changes_only_its_feeds(tmp_path: Path) -> None:
    generate_site(tmp_path, 30)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    before = {p: p.read_bytes() for p in feeds_in(tmp_path / "public")}
    edited = tmp_path / "content/notices/n0007.md"
    meta, _ = read_notice(edited)
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("示例通知第7号", "示例通知第7号（修订）"), encoding="utf-8")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    changed = {p.relative_to(tmp_path / "public").as_posix() for p in before if p.read_bytes() != before[p]}
    public = tmp_path / "public"
    containing = {p.relative_to(public).as_posix() for p in before if "示例通知第7号" in p.read_text(encoding="utf-8")}
    assert changed == containing
    assert {"feed.xml", "atom.xml"} <= changed
    assert len(changed) == 2 * (1 + len(meta["tags"]) + 1)


def test_unchanged_site_gives_identical_feeds(tmp_path: Path) -> None:
    generate_site(tmp_path, 20)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    before = {p: p.read_bytes() for p in feeds_in(tmp_path / "public")}
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert {p: p.read_bytes() for p in feeds_in(tmp_path / "public")} == before


@pytest.mark.parametrize(("schema", "bad"), [
    (RSS_SCHEMA, "<rss version='2.0'><channel><title>t</title><link>/relative/</link><description/></channel></rss>"),
    (RSS_SCHEMA, "<rss version='2.0'><channel><title>t</title><link>http://x.cn/</link><description/>"
                 "<item><title>t</title><pubDate>2024-02-26</pubDate></item></channel></rss>"),
    (ATOM_SCHEMA, "<feed xmlns='http://www.w3.org/2005/Atom'><id>http://x.cn/</id><title>t</title></feed>"),
])
def test_the_schemas_reject_bad_feeds(schema: etree.RelaxNG, bad: str) -> None:
    assert not schema.validate(etree.fromstring(bad))


RSS_ITEM = ("<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:x='urn:x'><channel><title>t</title>"
            "<link>http://x.cn/</link><description/><item><title>t</title>{}</item></channel></rss>")
ATOM_ENTRY = ("<feed xmlns='http://www.w3.org/2005/Atom' xmlns:x='urn:x'><id>http://x.cn/</id><title>t</title>"
              "<updated>2024-02-26T00:00:00+08:00</updated><entry><id>http://x.cn/a</id><title>a</title>"
              "<updated>2024-02-26T00:00:00+08:00</updated>{}</entry></feed>")


@pytest.mark.parametrize(("schema", "feed", "valid"), [
    # RSS 2.0 and RFC 4287 allow elements of other namespaces: gongkai's gk:date is one
    (RSS_SCHEMA, RSS_ITEM.format("<x:date a='1'>2024年2月26日<x:b/></x:date>"), True),
    (ATOM_SCHEMA, ATOM_ENTRY.format("<x:date>2024年2月26日</x:date>"), True),
    # ... but not elements of no namespace, or unknown ones of the feed's own
    (RSS_SCHEMA, RSS_ITEM.format("<date>2024年2月26日</date>"), False),
    (ATOM_SCHEMA, ATOM_ENTRY.format("<date>2024年2月26日</date>"), False),
    # and the Dublin Core element gongkai writes is still checked, not taken for an extension
    (RSS_SCHEMA, RSS_ITEM.format("<dc:creator></dc:creator>"), False),
])
def test_the_schemas_allow_extension_elements_only(schema: etree.RelaxNG, feed: str, valid: bool) -> None:
    assert schema.validate(etree.fromstring(feed.encode())) == valid, schema.error_log.last_error
