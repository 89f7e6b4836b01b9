"""gongkai build on the seeds: the pages, links, sub-path, determinism and escaping."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from builder.config import load_config
from builder.content import load_notices
from builder.fsio import tree_state
from builder.model import Notice
from builder.site_index import index_site, notice_moment
from tests.helpers import REPO, Served, files_in, generate_site, read_notice, run_cli, site_tree, write_site_yaml


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name] or "")


def parse_html(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def page_url(served: Served, path: Path) -> str:
    relative = path.relative_to(served.public).as_posix()
    return served.base + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def target_file(served: Served, url: str) -> Path | None:
    """The output file an internal URL points at, or None when it points outside the site."""
    path = urlsplit(url).path
    if not path.startswith("/xxgk/"):
        return None
    file = served.public / path[len("/xxgk/"):]
    return file / "index.html" if path.endswith("/") else file


def html_pages(served: Served) -> list[Path]:
    return sorted(served.public.rglob("*.html"))


def test_no_broken_internal_link(served_site: Served) -> None:
    checked = 0
    for page in html_pages(served_site):
        parsed = parse_html(page)
        for link in parsed.links:
            url = urljoin(page_url(served_site, page), link)
            if urlsplit(url).netloc != f"127.0.0.1:{served_site.port}":
                continue
            target = target_file(served_site, url)
            assert target is not None, f"{page}: link {link} leaves the site's sub-path"
            assert target.is_file(), f"{page}: broken link {link}"
            fragment = urldefrag(url).fragment
            if fragment:
                ids = parsed.ids if target == page else parse_html(target).ids
                assert fragment in ids, f"{page}: no #{fragment} in {target}"
            checked += 1
    assert checked > 200


def test_every_page_answers_over_http_from_the_sub_path(served_site: Served) -> None:
    for page in html_pages(served_site):
        with urllib.request.urlopen(page_url(served_site, page)) as response:
            assert response.status == 200
            assert "text/html" in response.headers["Content-Type"]


def test_seed_site_pages_and_home_links(served_site: Served) -> None:
    public = served_site.public
    notices = [read_notice(p)[0] for p in sorted((served_site.root / "content/notices").glob("*.md"))]
    assert len(list((public / "notices").glob("*/index.html"))) == 5
    home = {urlsplit(urljoin(served_site.base, link)).path for link in parse_html(public / "index.html").links}
    topic_pages = list((public / "topics").glob("*/index.html"))
    assert len(topic_pages) == len({tag for meta in notices for tag in meta["tags"]})
    publisher_pages = list((public / "publishers").glob("*/index.html"))
    # 鲤城区教育局 and 泉州市鲤城区教育局 are one agency (tests/test_publishers.py)
    assert len(publisher_pages) == len({meta["publisher"] for meta in notices if meta["publisher"]}) - 1
    for page in topic_pages + publisher_pages + list((public / "notices").glob("*/index.html")):
        assert "/xxgk/" + page.parent.relative_to(public).as_posix() + "/" in home, page
    for name in ("404.html", "sitemap.xml", "robots.txt", "notices.json", "archives/index.html"):
        assert (public / name).is_file()


def test_slugs_are_ascii(served_site: Served) -> None:
    for path in served_site.public.rglob("*"):
        assert path.relative_to(served_site.public).as_posix().isascii(), path


def test_notice_page_has_the_disclosure_block_and_meta(served_site: Served) -> None:
    html = (served_site.public / "notices/qz01113-1000-2024-00008/index.html").read_text(encoding="utf-8")
    labels = re.findall(r"<dt>([^<]+)</dt>", html)
    # no 主题分类 given, so the topic tags take its place (tests/test_pages.py)
    assert labels[:7] == ["索引号", "主题词", "发布机构", "成文日期", "标题", "发文字号", "发布日期"]
    assert html.index('class="notice-meta"') < html.index("<h1")
    assert html.count("<h1") == 1
    for name in ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ArticleTitle", "PubDate", "ContentSource",
                 "Keywords"):
        assert f'<meta name="{name}" content="' in html
    assert f'<link rel="canonical" href="{served_site.base}notices/qz01113-1000-2024-00008/">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert ld["identifier"] == "泉鲤政教〔2024〕15号" and ld["publisher"]["name"] == "鲤城区教育局"
    assert 'href="#attachment-1"' in html and 'id="attachment-1"' in html
    assert '<div class="signature">' in html
    assert "网站标识码：0000000000" in html


def test_no_markdown_mark_reaches_a_page(served_site: Served) -> None:
    """Containers and block attributes are layout, never text: a `:::` or `{.note}` shown
    to readers means the body's marks were misread (as with a container inside another)."""
    pages = sorted((served_site.public / "notices").glob("*/index.html"))
    assert len(pages) == len(list((REPO / "seeds").glob("*.txt")))
    for page in pages:
        text = re.sub(r"<[^>]+>", "\n", page.read_text(encoding="utf-8"))
        leaked = [line for line in text.splitlines() if re.match(r"\s*(:{3,}|\{[#.][^}]*\})", line)]
        assert not leaked, (page, leaked)
    html = (served_site.public / "notices/sy0024784891202400022/index.html").read_text(encoding="utf-8")
    attachment = html[html.index('<div class="attachment">'):]
    assert attachment.index('<div class="attachments">') < attachment.index("任务表")


def test_attachment_not_online_is_marked(served_site: Served) -> None:
    html = (served_site.public / "notices/sy0024784891202400022/index.html").read_text(encoding="utf-8")
    assert re.search(r"上海市崇明区教育局2024年重点工作任务表\s*<span class=\"file-info\">（未在网上公开）", html)


def test_open_data_and_sitemap(served_site: Served) -> None:
    records = json.loads((served_site.public / "notices.json").read_text(encoding="utf-8"))
    assert len(records) == 5
    assert all(r["url"].startswith(served_site.base + "notices/") for r in records)
    sitemap = (served_site.public / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>") >= 5 + 2 and f"<loc>{served_site.base}</loc>" in sitemap
    assert f"Sitemap: {served_site.base}sitemap.xml" in (served_site.public / "robots.txt").read_text(encoding="utf-8")


def test_build_is_byte_identical(site_with_search: Path) -> None:
    site = site_with_search
    assert run_cli("normalize", cwd=site).returncode == 0
    assert run_cli("build", "--out", "one", cwd=site).returncode == 0
    assert run_cli("build", "--out", "two", cwd=site).returncode == 0
    one, two = site_tree(site / "one"), site_tree(site / "two")
    assert one == two and len(one) > 30 and any(p.startswith("pagefind/2024/fragment/") for p in one)


NOTICE = """---
title: {title}
publisher: 示例局
published: '2024-03-01'
tags: [{tag}]
{extra}---

{body}
"""


def write_notice(site: Path, name: str, title: str = "示例通知", body: str = "正文。", tag: str = "教育",
                 extra: str = "") -> Path:
    path = site / "content/notices" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTICE.format(title=title, body=body, tag=tag, extra=extra), encoding="utf-8")
    return path


def test_content_text_is_always_escaped(site: Path) -> None:
    write_notice(site, "xss", title="'<script>alert(1)</script>标题'", tag="'<script>x</script>'",
                 body="<script>alert(2)</script> 正文 <img src=x onerror=alert(3)>",
                 extra="extra:\n  '<script>x</script>': '<img src=x onerror=alert(4)>'\n")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    for page in (site / "public").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<script>x" not in html and "<img src=x" not in html
    notice = (site / "public/notices/xss/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;标题" in notice
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in notice


@pytest.mark.parametrize(("content", "expected"), [
    ("---\ntitle: [unclosed\n---\n", "content/notices/bad.md:2: invalid YAML"),  # where the bracket opens
    ("---\ntitle: 示例\nsigners: 张三\n---\n", "content/notices/bad.md:3: signers: expected a list of text"),
    ("---\npublisher: 示例局\n---\n正文\n", "content/notices/bad.md:1: title: a notice needs a title"),
    ("---\ntitle: 示例\nwritten: 2024-02-30\n---\n", "content/notices/bad.md:3: written: expected a date"),
    ("---\ntitle: 示例\nattachments:\n- title: 表\n  file: ../../site.yaml\n---\n",
     "content/notices/bad.md:4: attachments[0].file: ../../site.yaml leaves content/"),
    ("正文，没有元数据。\n", "content/notices/bad.md:1: no front matter"),
    ("---\ntitle: 示例\npublisher: 局\x01\n---\n", "content/notices/bad.md:3: invalid YAML: character U+0001"),
])
def test_bad_content_fails_and_keeps_the_old_site(site: Path, content: str, expected: str) -> None:
    write_notice(site, "good")
    assert run_cli("build", cwd=site).returncode == 0
    before = files_in(site / "public")
    (site / "content/notices/bad.md").write_text(content, encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert files_in(site / "public") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".public")] == [os.readlink(site / "public")]


def test_two_notices_with_one_slug(site: Path) -> None:
    write_notice(site, "same")
    write_notice(site, "SAME")
    result = run_cli("build", cwd=site)
    if (site / "content/notices/same.md").samefile(site / "content/notices/SAME.md"):
        pytest.skip("case-insensitive file system")
    assert result.returncode == 1
    assert "slug: two notices with the slug same" in result.stderr


def test_attachment_file_is_copied_and_described(site: Path) -> None:
    (site / "content/notices").mkdir(parents=True)
    (site / "content/notices/table.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 250_000)
    write_notice(site, "with-file",
                 extra="attachments:\n- {number: 1, title: 任务表, inline: false, file: table.pdf}\n")
    assert run_cli("build", cwd=site).returncode == 0
    html = (site / "public/notices/with-file/index.html").read_text(encoding="utf-8")
    assert '<a href="table.pdf">任务表</a>' in html and "PDF，245 KB" in html
    assert (site / "public/notices/with-file/table.pdf").stat().st_size == 250_009


def test_expired_and_repealed_notices_are_marked(site: Path) -> None:
    write_notice(site, "old", title="旧规定", extra="expires: '2023-12-31'\n")
    write_notice(site, "gone", title="已废规定", extra="validity: 已废止\n")
    write_notice(site, "live", title="现行规定")
    assert run_cli("build", cwd=site).returncode == 0
    assert "已失效" in (site / "public/notices/old/index.html").read_text(encoding="utf-8")
    assert "已废止" in (site / "public/notices/gone/index.html").read_text(encoding="utf-8")
    assert "status-banner" not in (site / "public/notices/live/index.html").read_text(encoding="utf-8")


def test_other_labelled_facts_are_shown_in_the_metadata_table(site: Path) -> None:
    write_notice(site, "joint", extra="extra:\n  联合发文单位: 示例市财政局\n  政策类型: 政策文件\n")
    assert run_cli("build", cwd=site).returncode == 0
    html = (site / "public/notices/joint/index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<dt>([^<]+)</dt>\n<dd>([^<]*)</dd>", html)
    assert rows[-2:] == [("联合发文单位", "示例市财政局"), ("政策类型", "政策文件")]


def test_site_theme_overrides_a_template(site: Path) -> None:
    write_notice(site, "one")
    override = site / "theme/templates/404.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}{% block main %}<h1>本站自定义的404</h1>{% endblock %}',
                        encoding="utf-8")
    assert run_cli("build", cwd=site).returncode == 0
    assert "本站自定义的404" in (site / "public/404.html").read_text(encoding="utf-8")


def test_template_error_names_the_template_and_line(site: Path) -> None:
    write_notice(site, "one")
    broken = site / "theme/templates/404.html"
    broken.parent.mkdir(parents=True)
    broken.write_text("<h1>404</h1>\n{% if %}\n", encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert re.search(r"404\.html:2: template: ", result.stderr), result.stderr


def test_site_yaml_errors_name_key_and_line(site: Path) -> None:
    (site / "site.yaml").write_text("title: 示例\nbase_url: example.gov.cn\npage_size: many\n", encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert "site.yaml:3: page_size: expected int, got str" in result.stderr
    assert "site.yaml:2: base_url: expected an absolute http(s) URL" in result.stderr


def test_drafts_only_with_the_flag(site: Path) -> None:
    write_notice(site, "draft", extra="draft: true\n")
    write_notice(site, "final")
    assert run_cli("build", cwd=site).returncode == 0
    assert not (site / "public/notices/draft").exists()
    assert run_cli("build", "--drafts", cwd=site).returncode == 0
    assert (site / "public/notices/draft/index.html").is_file()


def test_repository_site_builds(tmp_path: Path) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    write_site_yaml(tmp_path)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "built " in result.stdout


def test_lists_paginate_newest_first(site: Path) -> None:
    config = (site / "site.yaml").read_text(encoding="utf-8").replace("page_size: 20", "page_size: 2")
    (site / "site.yaml").write_text(config, encoding="utf-8")
    names = {"a-first": "2024-03-01", "b-tie": "2024-03-01", "c-old": "2022-06-30", "d-mid": "2023-12-31",
             "e-new": "2024-05-20"}
    for name, day in names.items():
        path = write_notice(site, name, title=f"通知{name}")
        path.write_text(path.read_text(encoding="utf-8").replace("2024-03-01", day), encoding="utf-8")
    assert run_cli("build", cwd=site).returncode == 0
    order = []
    for page in ("notices/index.html", "notices/page/2/index.html", "notices/page/3/index.html"):
        html = (site / "public" / page).read_text(encoding="utf-8")
        links = re.findall(r'class="notice-link" href="([^"]+)"', html)
        order += [href.rstrip("/").rsplit("/", 1)[-1] for href in links]
    assert order == ["e-new", "a-first", "b-tie", "d-mid", "c-old"]
    assert not (site / "public/notices/page/4").exists()
    second = (site / "public/notices/page/2/index.html").read_text(encoding="utf-8")
    assert 'rel="prev"' in second and 'rel="next"' in second and "第 2 页，共 3 页" in second


def test_check_passes_a_built_site_and_names_each_broken_link(site: Path) -> None:
    assert run_cli("normalize", cwd=site).returncode == 0
    assert run_cli("build", cwd=site).returncode == 0
    good = run_cli("check", cwd=site)
    assert good.returncode == 0 and "no problems" in good.stdout
    assert "built for https://example.gov.cn/xxgk/" in good.stdout
    (site / "public/subscribe/index.html").unlink()
    bad = run_cli("check", cwd=site)
    assert bad.returncode == 1
    assert re.search(r"error: public/index\.html:\d+: link: <a href=\"subscribe/\"> leads to no file", bad.stderr)
    assert "Traceback" not in bad.stderr


def test_lists_run_newest_first_undated_last_and_equal_moments_by_slug(tmp_path: Path) -> None:
    generate_site(tmp_path, 120)
    folder = tmp_path / "content/notices"
    for slug, dates in (("tie-a", "published: 2019年5月1日"), ("tie-b", "published: '2019-05-01T00:00:00+08:00'"),
                        ("tie-c", "written: 2019-05-01"), ("none", "published: null"),
                        ("late", "written: '2019-05-01'\npublished: 2019-05-01 00:01")):
        (folder / f"{slug}.md").write_text(f"---\ntitle: 排序{slug}\n{dates}\n---\n\n正文。\n", encoding="utf-8")
    notices = load_notices(tmp_path / "content", tree_state(tmp_path / "content")).notices

    def by_parsed_moment(notice: Notice) -> tuple:
        moment = notice_moment(notice)
        return (0, -moment.timestamp(), notice.slug) if moment else (1, 0.0, notice.slug)

    ordered = [n.slug for n in index_site(notices, load_config(tmp_path, required=True)).notices]
    assert ordered == [n.slug for n in sorted(notices, key=by_parsed_moment)]
    at = ordered.index("late")
    assert ordered[at:at + 4] == ["late", "tie-a", "tie-b", "tie-c"] and ordered[-1] == "none"
