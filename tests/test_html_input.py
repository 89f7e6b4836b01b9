"""Saved portal pages as normaliser input: the same notice as text and as HTML gives the same
front matter and body, plus the tables, file links and <meta> values only HTML carries."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.helpers import (
    SEEDS,
    axe_violations,
    free_port,
    http_server,
    portal_page,
    read_notice,
    run_cli,
    write_site_yaml,
)


def as_page(text: str, charset: str) -> bytes:
    """A raw notice's lines as a portal page: one paragraph per line, in the portal's frame."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return portal_page(paragraphs, charset=charset)


def normalized(root: Path) -> dict[str, tuple[dict, str]]:
    return {path.name: read_notice(path) for path in sorted((root / "content/notices").glob("*.md"))}


@pytest.mark.parametrize("seed", SEEDS, ids=[seed.stem for seed in SEEDS])
def test_a_seed_as_a_page_gives_the_notice_it_gives_as_text(tmp_path: Path, seed: Path) -> None:
    text_site, page_site = tmp_path / "text", tmp_path / "page"
    for site in (text_site, page_site):
        (site / "in").mkdir(parents=True)
        write_site_yaml(site)
    shutil.copy(seed, text_site / "in/notice.txt")
    charset = "gb2312" if seed.stem.endswith(("0", "2", "4")) else "utf-8"
    (page_site / "in/notice.html").write_bytes(as_page(seed.read_text(encoding="utf-8"), charset))
    for site in (text_site, page_site):
        result = run_cli("normalize", "in", cwd=site)
        assert result.returncode == 0, result.stderr
    (name, (text_front, text_body)), = normalized(text_site).items()
    page_front, page_body = normalized(page_site)[name]
    assert {**page_front, "source": None} == {**text_front, "source": None}
    assert page_body == text_body


GOV_CN_TABLE = """
<table class="bd1" border="1">
<tr><td><b>索 引 号：</b></td><td>000014349/2024-00031</td><td><b>主题分类：</b></td><td>教育\\基础教育</td></tr>
<tr><td><b>发文机关：</b></td><td>示例市人民政府办公室</td><td><b>成文日期：</b></td><td>2024年05月06日</td></tr>
<tr><td><b>标　　题：</b></td><td colspan="3">示例市人民政府办公室关于做好2024年义务教育招生入学工作的通知</td></tr>
<tr><td><b>发文字号：</b></td><td>示政办〔2024〕12号</td><td><b>发布日期：</b></td><td>2024年05月08日</td></tr>
<tr><td><b>主 题 词：</b></td><td colspan="3"></td></tr>
</table>"""
LABEL_ROWS = """
<table class="xxgk-info">
<tr><th>索引号</th><td>000014349/2024-00031</td></tr>
<tr><th>发布机构</th><td>示例市人民政府办公室</td></tr>
<tr><th>成文日期</th><td>2024-05-06</td></tr>
<tr><th>文号</th><td>示政办〔2024〕12号</td></tr>
<tr><th>发布日期</th><td>2024-05-08</td></tr>
<tr><th>主题分类</th><td>教育\\基础教育</td></tr>
</table>"""
COLONLESS = """
<ul class="info"><li>索引号　000014349/2024-00031</li><li>发布机构　示例市人民政府办公室</li>
<li>成文日期　2024-05-06</li><li>发文字号　示政办〔2024〕12号</li><li>发布日期　2024-05-08</li>
<li>主题分类　教育\\基础教育</li></ul>"""
NOTICE_BODY = """
<h1 class="title">示例市人民政府办公室关于做好2024年义务教育招生入学工作的通知</h1>
<div class="TRS_Editor"><div class="Custom_UnionStyle">
<p>各县（市、区）人民政府，市直各有关单位：</p>
<p>　　为做好2024年义务教育招生入学工作，现将有关事项通知如下。</p>
<p>　　一、招生计划</p>
<p>　　各学校招生计划见下表。</p>
<table border="1" cellspacing="0">
<tr><td>序号</td><td>学校</td><td>计划（人）</td></tr>
<tr><td>1</td><td>示例市第一小学</td><td>360</td></tr>
<tr><td>2</td><td>示例市实验小学<br>（东校区）</td><td>270</td></tr>
</table>
<p>　　二、学区划分</p>
<table border="1">
<tr><th rowspan="2">学区</th><th colspan="2">招生范围</th></tr>
<tr><th>街道</th><th>社区</th></tr>
<tr><td>第一学区</td><td>东街街道</td><td>东门社区、南门社区</td></tr>
</table>
<p>　　三、工作要求</p>
<p>　　各地要严格落实免试就近入学要求。</p>
<p>　　附件：1.招生计划汇总表</p>
<p>　　　　　2.报名登记表</p>
<p style="text-align: right">示例市人民政府办公室</p>
<p style="text-align: right">2024年5月6日</p>
<p>　　（此件公开发布）</p>
</div></div>
<div class="attachments"><p>附件下载：</p>
<p><a href="/zwgk/P020240508_1.xlsx">附件1：招生计划汇总表.xlsx</a></p>
<p><a href="./P020240508_2.docx" target="_blank">附件2：报名登记表.docx</a></p>
<p><a href="https://other.example.gov.cn/files/zcjd.pdf">政策解读.pdf</a></p></div>
<div class="bdsharebuttonbox"><a href="#" class="bds_weixin">微信</a><a href="#">微博</a></div>
<p class="print">【打印本页】【关闭窗口】</p>
"""
BASE = '<link rel="canonical" href="https://www.example.gov.cn/zwgk/tzgg/202405/t20240508_100.html">'


def test_a_metadata_table_with_a_label_no_row_knows(tmp_path: Path) -> None:
    """文件属性 opens the table, and 有效性 shares a row with it."""
    row = "<tr><td>文件属性：</td><td>普发</td><td>有效性：</td><td>有效</td></tr>"
    table = GOV_CN_TABLE.replace("<tr>", row + "<tr>", 1)
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    (tmp_path / "in/notice.html").write_bytes(portal_page(table + NOTICE_BODY, head=BASE))
    assert run_cli("normalize", "in", cwd=tmp_path).returncode == 0
    (_, (front, body)), = normalized(tmp_path).items()
    assert front["extra"] == {"文件属性": "普发"} and front["validity"] == "有效"
    assert front["index_no"] == "000014349/2024-00031"
    assert front["title"] == "示例市人民政府办公室关于做好2024年义务教育招生入学工作的通知"
    assert front["addressee"] == "各县（市、区）人民政府，市直各有关单位" and "普发" not in body


@pytest.mark.parametrize("layout", [GOV_CN_TABLE, LABEL_ROWS, COLONLESS], ids=["gov.cn table", "label rows",
                                                                              "colon-less labels"])
def test_metadata_layouts_tables_and_links(tmp_path: Path, layout: str) -> None:
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    (tmp_path / "in/notice.htm").write_bytes(portal_page(layout + NOTICE_BODY, head=BASE, charset="gb2312"))
    result = run_cli("normalize", "in", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (_, (front, body)), = normalized(tmp_path).items()
    assert front["index_no"] == "000014349/2024-00031"
    assert front["publisher"] == "示例市人民政府办公室"
    assert front["doc_no"] == "示政办〔2024〕12号"
    assert (front["written"], front["published"]) == ("2024-05-06", "2024-05-08")
    assert front["category"] == "教育\\基础教育"
    assert front["title"] == "示例市人民政府办公室关于做好2024年义务教育招生入学工作的通知"
    assert front["addressee"] == "各县（市、区）人民政府，市直各有关单位"
    assert front["inferred"] == [] and "page_meta" not in front
    # tables stay tables: a pipe table, and merged cells as a ```table block
    assert "| 序号 | 学校 | 计划（人） |\n| --- | --- | --- |\n| 1 | 示例市第一小学 | 360 |" in body
    assert "| 2 | 示例市实验小学 （东校区） | 270 |" in body
    assert '<th rowspan="2">学区</th><th colspan="2">招生范围</th>' in body
    assert "\n序号\n" not in body and "\n\n学校\n\n" not in body
    # file links: the listed attachments get their URL, another file link is one more attachment
    assert front["attachments"] == [
        {"number": 1, "title": "招生计划汇总表", "inline": False, "url": "https://www.example.gov.cn/zwgk/P020240508_1.xlsx"},
        {"number": 2, "title": "报名登记表", "inline": False,
         "url": "https://www.example.gov.cn/zwgk/tzgg/202405/P020240508_2.docx"},
        {"number": None, "title": "政策解读", "inline": False, "url": "https://other.example.gov.cn/files/zcjd.pdf"},
    ]
    # the portal's frame is gone, the notice's own text is all there
    for furniture in ("首页", "互动交流", "当前位置", "统计", "版权所有", "ICP备", "微信", "打印本页", "搜索",
                      "English"):
        assert furniture not in body and furniture not in str(front), furniture
    for kept in ("免试就近入学", "第一学区", "东门社区、南门社区"):
        assert kept in body


def test_built_page_shows_tables_and_linked_attachments(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    (tmp_path / "in/notice.html").write_bytes(portal_page(GOV_CN_TABLE + NOTICE_BODY, head=BASE))
    assert run_cli("normalize", "in", cwd=tmp_path).returncode == 0
    assert run_cli("build", cwd=tmp_path).returncode == 0
    page = next((tmp_path / "public/notices").glob("*/index.html")).read_text(encoding="utf-8")
    assert re.search(r"<table>\s*<thead>\s*<tr>\s*<th>序号</th>", page)
    assert '<th rowspan="2">学区</th><th colspan="2">招生范围</th>' in page
    # the 附件说明 links the files the page offers (tests/test_pages.py)
    assert '<a href="https://www.example.gov.cn/zwgk/P020240508_1.xlsx">1.招生计划汇总表</a>' in page


def test_meta_tags_fill_what_the_text_does_not_give(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    head = ('<meta name="ArticleTitle" content="示例县教育局关于开展校园安全大检查的通知">'
            '<meta name="PubDate" content="2024-09-02 08:30"><meta name="ContentSource" content="示例县教育局">')
    body = ("<p>各中小学、幼儿园：</p><p>　　为确保秋季开学安全，决定在全县开展校园安全大检查。各校要对校舍、食堂、"
            "消防设施逐一排查，发现隐患立即整改，并于9月10日前报送检查情况。</p>"
            '<p><a href="files/jcb.xls">检查表.xls</a></p>')
    (tmp_path / "in/notice.html").write_bytes(portal_page(body, head=head))
    result = run_cli("normalize", "in", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (_, (front, _)), = normalized(tmp_path).items()
    assert front["title"] == "示例县教育局关于开展校园安全大检查的通知"
    assert front["published"] == "2024-09-02T08:30:00+08:00"
    assert front["publisher"] == "示例县教育局"
    assert front["page_meta"] == ["published", "publisher", "title"] and front["inferred"] == []
    assert front["attachments"] == [{"number": None, "title": "检查表", "inline": False, "url": "files/jcb.xls"}]
    # in site.yaml's language
    assert any("附件链接 files/jcb.xls 是相对地址" in warning for warning in front["warnings"])
    assert run_cli("build", cwd=tmp_path).returncode == 0
    page = next((tmp_path / "public/notices").glob("*/index.html")).read_text(encoding="utf-8")
    assert page.count("（据网页元数据）") == 3


PORTAL_HOME = "".join(f'<li><a href="/xw/{i}.html">示例市召开第{i}次工作会议部署重点工作</a> 2024-05-{i:02d}</li>'
                      for i in range(1, 29))


@pytest.mark.parametrize(("body", "reason"), [
    (f"<ul>{PORTAL_HOME}</ul>", "a page of links, not a notice"),
    ("<h1>404</h1><p>抱歉，您访问的页面不存在！</p>", "no notice text in the page"),
    ("", "no notice text in the page"),
], ids=["portal home", "404 page", "empty body"])
def test_a_page_that_is_no_notice_is_a_clear_error(tmp_path: Path, body: str, reason: str) -> None:
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    (tmp_path / "in/bad.html").write_bytes(portal_page(body))
    shutil.copy(SEEDS[0], tmp_path / "in/good.txt")
    result = run_cli("normalize", "in", cwd=tmp_path)
    assert result.returncode == 1
    assert f"error: in/bad.html: {reason}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert len(normalized(tmp_path)) == 1  # the good file is still done


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030-undeclared", "big5-declared-wrongly-as-utf-8"])
def test_page_encodings(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    text = SEEDS[1].read_text(encoding="utf-8")
    page = as_page(text, "utf-8").decode("utf-8")
    if encoding == "utf-8-sig":
        data = page.encode("utf-8-sig")
    elif encoding == "gb18030-undeclared":
        data = page.replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "").encode("gb18030")
    else:  # a page whose declaration is wrong is read by detection instead
        data = page.encode("gb18030")
    (tmp_path / "in/notice.html").write_bytes(data)
    result = run_cli("normalize", "in", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (_, (front, body)), = normalized(tmp_path).items()
    assert front["title"] and "�" not in body and len(body) > 1000


def test_a_notice_with_tables_is_accessible_and_fits_a_phone(tmp_path: Path, browser: Browser) -> None:
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    cells = "".join(f"<td>第{column}列的一段较长内容</td>" for column in range(8))
    wide = "<table border='1'>" + f"<tr>{cells}</tr>" * 3 + "</table>"
    (tmp_path / "in/notice.html").write_bytes(portal_page(GOV_CN_TABLE + NOTICE_BODY.replace("</h1>", "</h1>" + wide),
                                                          head=BASE))
    assert run_cli("normalize", "in", cwd=tmp_path).returncode == 0
    port = free_port()
    assert run_cli("build", "--base-url", f"http://127.0.0.1:{port}/", cwd=tmp_path).returncode == 0
    slug = next((tmp_path / "public/notices").glob("*/index.html")).parent.name
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    with http_server(tmp_path / "public", port):
        page.goto(f"http://127.0.0.1:{port}/notices/{slug}/")
        assert page.locator(".notice-body table").count() == 3
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    context.close()


def test_an_old_page_laid_out_in_tables_reads_as_text(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_site_yaml(tmp_path)
    text = SEEDS[1].read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    layout = (f"<table width='980'><tr><td width='200'><a href='/'>首页</a></td><td>{paragraphs}</td></tr>"
              "<tr><td></td><td>版权所有</td></tr></table>")
    (tmp_path / "in/notice.html").write_bytes(portal_page(layout))
    shutil.copy(SEEDS[1], tmp_path / "in/notice.txt")
    (tmp_path / "in/notice.txt").rename(tmp_path / "notice.txt")
    assert run_cli("normalize", "in", cwd=tmp_path).returncode == 0
    assert run_cli("normalize", "notice.txt", "--out", "text", cwd=tmp_path).returncode == 0
    (_, (front, body)), = normalized(tmp_path).items()
    text_front, text_body = read_notice(next((tmp_path / "text").glob("*.md")))
    assert "| --- |" not in body and body == text_body
    assert {**front, "source": None} == {**text_front, "source": None}
