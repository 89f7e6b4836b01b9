"""The small pure functions of the normaliser, on real lines."""

from __future__ import annotations

import re
from html import unescape

import pytest

from builder.body_format import escape
from builder.dates import parse_date
from builder.markdown import render_markdown
from builder.normalize.blocks import Heading, Paragraph, classify
from builder.normalize.decode import DecodeError, Line, clean_lines, decode
from builder.normalize.furniture import strip_furniture
from builder.normalize.metadata import extract, parse_pairs
from builder.normalize.structure import join_broken_lines, parse


@pytest.mark.parametrize(("text", "iso"), [
    ("2024-02-21", "2024-02-21"),
    ("2024年2月21日", "2024-02-21"),
    ("2017年05月15日", "2017-05-15"),
    ("2024年 2月 21 日", "2024-02-21"),
    ("2024年\u00a02月\u00a021日", "2024-02-21"),
    ("二〇二四年二月二十一日", "2024-02-21"),
    ("二○○九年九月十一日", "2009-09-11"),
    ("二〇一八年十二月三十日", "2018-12-30"),
    ("２０２４年３月５日", "2024-03-05"),
    ("2020-10-10 19:48:26", "2020-10-10T19:48:26+08:00"),
    ("2024-02-23 09:39", "2024-02-23T09:39:00+08:00"),
])
def test_dates(text: str, iso: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.iso() == iso


@pytest.mark.parametrize("text", ["2024年2月30日", "2024年3月1日至3月5日", "时间安排", "二〇二四年十三月一日", ""])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(("line", "pairs"), [
    ("• 索 引 号:QZ01113-1000-2024-00008", [("索引号", "QZ01113-1000-2024-00008")]),
    ("- 备注/文号: 清教党组〔2023〕1号", [("备注/文号", "清教党组〔2023〕1号")]),
    ("索　引　号：000014349/2018-00222 主题分类：卫生、体育\\医药管理",
     [("索引号", "000014349/2018-00222"), ("主题分类", "卫生、体育\\医药管理")]),
    ("发文机关 国务院 成文日期 2018年12月21日", [("发文机关", "国务院"), ("成文日期", "2018年12月21日")]),
    ("生效日期:", [("生效日期", "")]),
    ("时间:2024-02-23 09:39", [("时间", "2024-02-23 09:39")]),
    ("信息分类：教育\\教育    发布机构：湖北省教育厅", [("信息分类", "教育\\教育"), ("发布机构", "湖北省教育厅")]),
    ("名　　称：湖北省教育厅关于加强心理健康工作的通知", [("名称", "湖北省教育厅关于加强心理健康工作的通知")]),
    ("【发布单位】示例市财政局　　【发布日期】2024/03/01", [("发布单位", "示例市财政局"), ("发布日期", "2024/03/01")]),
])
def test_metadata_lines(line: str, pairs: list[tuple[str, str]]) -> None:
    assert parse_pairs(line) == pairs


@pytest.mark.parametrize("line", [
    "时间安排如下：", "时间：2024年3月1日至3月5日", "文号管理要规范。", "发布机构要及时公开信息，接受监督。",
])
def test_sentences_are_not_metadata(line: str) -> None:
    assert parse_pairs(line) is None


def test_weak_labels_only_in_the_head() -> None:
    lines = [Line(1, "示例局关于召开会议的通知"), Line(2, "各单位："),
             Line(3, "现将会议有关事项通知如下，请准时参加，不得缺席，特此通知各单位知悉。"),
             Line(4, "时间：2024年3月1日"), Line(5, "发布日期：2024-03-01")]
    meta = extract(lines)
    assert [(p.label, p.value) for p in meta.pairs] == [("发布日期", "2024-03-01")]
    assert [line.text for line in meta.rest][-1] == "时间：2024年3月1日"


def test_labels_of_other_portals_beside_known_ones_are_kept_as_extra() -> None:
    lines = [Line(1, "索引号：011043141/2024-12345 适用范围：全省中小学"), Line(2, "签发人：张三"),
             Line(3, "发布机构：示例省教育厅"), Line(4, "联系人：李四"), Line(5, "各设区市教育局："),
             Line(6, "示例局关于召开会议的通知"), Line(7, "会议地点：第一会议室")]
    meta = extract(lines)
    assert [(p.key, p.label, p.value) for p in meta.pairs] == [
        ("index_no", "索引号", "011043141/2024-12345"), ("extra", "适用范围", "全省中小学"),
        ("extra", "签发人", "张三"), ("publisher", "发布机构", "示例省教育厅")]
    # A notice's own lines, and a label far from the metadata block, stay text.
    assert [line.text for line in meta.rest] == ["联系人：李四", "各设区市教育局：", "示例局关于召开会议的通知",
                                                 "会议地点：第一会议室"]


def test_a_summary_label_takes_a_sentence() -> None:
    meta = extract([Line(1, "文号：苏教基函〔2024〕12号"), Line(2, "内容概述：规范中小学课后服务管理。")])
    assert [(p.label, p.value) for p in meta.pairs][-1] == ("内容概述", "规范中小学课后服务管理。")


@pytest.mark.parametrize("line", [
    "各单位要及时分享经验，打印并张贴安全须知。",
    "会场分大、中、小三个区域。",
    "扫一扫黑恶势力，要求各校扫一扫死角，做到全面覆盖，不留盲区，确保校园安全稳定。",
    "联系电话：0595-22000000",
    "依法保护版权所有者的合法权益。",
    "首页改版工作由办公室负责，栏目设置见附件。",
    "请登录系统注册账号后上传材料。", "序号 | 任务 | 责任单位", "今天是全国中小学生安全教育日。",
])
def test_sentences_are_not_furniture(line: str) -> None:
    stripped = strip_furniture([Line(1, "示例正文第一段。"), Line(2, line)])
    assert [li.text for li in stripped.kept] == ["示例正文第一段。", line]


@pytest.mark.parametrize("line", [
    "登录 | 注册 | 无障碍 | 长者版", "网站首页 | 政务公开 | 政务服务 | 互动交流",
    "关于我们 | 网站地图 | 联系我们 | 隐私声明",
    "今天是2024年3月1日 星期五", "【字号：T|T】 【打印】 【关闭】", "上一条：关于开展爱国卫生运动的通知", "相关稿件",
    "微信扫一扫", "手机扫码阅读", "【回到顶部】", "建议使用1366×768分辨率，IE10以上浏览器", "您是本站第 1234567 位访客",
])
def test_header_and_footer_bars_are_furniture(line: str) -> None:
    stripped = strip_furniture([Line(1, "示例正文第一段。"), Line(2, line)])
    assert [li.text for li in stripped.kept] == ["示例正文第一段。"]


@pytest.mark.parametrize("line", [
    "首页 > 政务公开 > 规范性文件", "网站首页＞信息公开＞通知公告＞", "首页/政务公开/政策文件",
    "当前位置：首页 > 通知公告",
])
def test_breadcrumbs_are_furniture(line: str) -> None:
    stripped = strip_furniture([Line(1, line), Line(2, "示例正文第一段。")])
    assert [li.text for li in stripped.kept] == ["示例正文第一段。"]


def test_a_download_list_is_furniture_that_names_files() -> None:
    texts = ["示例正文第一段。", "附件下载：", "1.名单.xlsx", "2.报名表.doc（35KB）",
             "附件下载：", "请于3月1日前报送。", "相关附件：方案.pdf"]
    lines = [Line(number, text) for number, text in enumerate(texts, start=1)]
    stripped = strip_furniture(lines)
    assert [li.text for li in stripped.kept] == ["示例正文第一段。", "请于3月1日前报送。"]
    assert [li.text for li in stripped.downloads] == ["1.名单.xlsx", "2.报名表.doc（35KB）", "方案.pdf"]


@pytest.mark.parametrize("footer", [["主办：示例省教育厅　承办：示例中心", "示ICP备05000000号"],
                                    ["版权所有：示例市人民政府", "协办单位：示例市大数据局"]])
def test_site_owners_beside_a_footer_line_are_furniture(footer: list[str]) -> None:
    lines = [Line(1, "主办：示例协会"), Line(2, "示例正文第一段。"), *(Line(3 + i, t) for i, t in enumerate(footer))]
    stripped = strip_furniture(lines)
    assert [li.text for li in stripped.kept] == ["主办：示例协会", "示例正文第一段。"]  # not at the foot


@pytest.mark.parametrize(("line", "kept", "removed"), [
    ("| 繁体 | 网站已支持ipv62020年工作要点如下", "2020年工作要点如下", ["| 繁体 |", "网站已支持ipv6"]),
    ("时间:2022-04-15 17:49 浏览量:1", "时间:2022-04-15 17:49", ["浏览量:1"]),
    ("切实保障师生健康。扫一扫在手机上查看当前页面", "切实保障师生健康。", ["扫一扫在手机上查看当前页面"]),
])
def test_glued_furniture(line: str, kept: str, removed: list[str]) -> None:
    stripped = strip_furniture([Line(1, line)])
    assert [li.text for li in stripped.kept] == [kept]
    assert [piece.line.text for piece in stripped.furniture] == removed


@pytest.mark.parametrize("text", [
    "1. 组织2024年初招电脑派位工作。", "1) 第一项", "# 不是标题", "> 不是引用", "- 不是列表", "+ 不是列表",
    "*不是强调*", "_不是强调_", "进一步推动[95]40标准工作量的落实", "a & b &amp; c &#65;", "<script>alert(1)</script>",
    "::: signature", "{.addressee}", "`不是代码`", "路径 C:\\temp\\", "---", "===", "~~~", "| 表 | 格 |",
    "![图](x.png)", "<http://example.gov.cn>",
])
def test_escaped_text_renders_exactly(text: str) -> None:
    html = render_markdown(escape(text))
    assert re.fullmatch(r"<p>.*</p>\n", html), html
    assert unescape(re.sub(r"<[^>]+>", "", html)).strip() == text


def test_headings_only_in_sequence_and_short() -> None:
    texts = ["一、总体要求", "（一）工作目标", "一、二年级不进行纸笔考试。", "（二）主要任务",
             "二、保障措施。各单位要高度重视，确保各项工作落到实处。", "三、组织领导", "七、八月份:"]
    blocks = classify([Line(i, text) for i, text in enumerate(texts)])
    kinds = [(type(b).__name__, getattr(b, "kind", None)) for b in blocks]
    assert kinds == [("Heading", "level1"), ("Heading", "level2"), ("Paragraph", None),
                     ("Heading", "level2"), ("Paragraph", None), ("Heading", "level1"), ("Paragraph", None)]
    assert isinstance(blocks[0], Heading) and isinstance(blocks[2], Paragraph)


@pytest.mark.parametrize(("texts", "headings"), [
    (["一、提高思想认识。", "防汛工作事关群众安全。", "二、落实防汛责任。", "各村要落实责任。"], 2),
    (["一、提高思想认识。", "二、落实防汛责任。"], 0),  # nothing under them: a numbered list
    (["一、同意设立示例小学，办学规模为36个班。", "二、请按规定做好相关工作。", "此复。"], 0),  # sentences
])
def test_chapter_lines_that_end_as_sentences_head_text_or_none_does(texts: list[str], headings: int) -> None:
    blocks = classify([Line(i, text) for i, text in enumerate(texts)])
    assert sum(isinstance(b, Heading) for b in blocks) == headings


def test_sections_run_into_their_text_make_their_siblings_paragraphs() -> None:
    texts = ["一、强化基层", "（一）加强机构建设。各地要加大投入。", "（二）完善分级诊疗制度。",
             "二、深化改革", "（一）完善体制", "（二）健全机制"]
    blocks = classify([Line(i, text) for i, text in enumerate(texts)])
    assert [type(b).__name__ for b in blocks] == ["Heading", "Paragraph", "Paragraph", "Heading", "Heading", "Heading"]


def test_rules_are_outlined_in_parts_and_numbered_in_articles() -> None:
    texts = ["第一章　总则", "第一条　为规范管理，制定本办法。", "第二章 服务内容", "第三条　课后服务主要包括：",
             "（一）指导学生完成作业；", "（二）开展文体活动；", "（三）开展科普活动。", "第三章规定的事项由各校负责。",
             "第三章　附则", "一、附则说明", "第五条　本办法自2024年9月1日起施行。"]
    blocks = classify([Line(i, text) for i, text in enumerate(texts)])
    headings = [(b.kind, b.line.text) for b in blocks if isinstance(b, Heading)]
    assert headings == [("chapter", "第一章　总则"), ("chapter", "第二章 服务内容"), ("chapter", "第三章　附则"),
                        ("level1", "一、附则说明")]  # list items (；) are no headings, nor a sentence
    skeleton = parse([Line(1, "示例市中小学课后服务管理办法"), Line(2, "第一章　总则"), Line(3, texts[1])])
    assert [line.text for line in skeleton.title] == ["示例市中小学课后服务管理办法"]


def test_broken_lines_join_but_headings_and_sentences_do_not() -> None:
    lines = [Line(1, "27.改善设施设备。对照市教委义务教育“新五项标准”要"), Line(2, "求,按照教育实际需求制定规划。"),
             Line(3, "一、聚焦队伍建设,建强教育高质量发展的根本依靠"), Line(4, "进一步健全体系。"),
             Line(5, "二、主要目标"), Line(6, "进一步健全德智体美劳培养体系。")]
    assert [li.text for li in join_broken_lines(lines)] == [
        "27.改善设施设备。对照市教委义务教育“新五项标准”要求,按照教育实际需求制定规划。",
        "一、聚焦队伍建设,建强教育高质量发展的根本依靠", "进一步健全体系。",
        "二、主要目标", "进一步健全德智体美劳培养体系。"]


def test_decode_rejects_what_it_cannot_read_and_cleans_what_it_can() -> None:
    with pytest.raises(DecodeError, match="empty"):
        decode(b"\n \n")
    with pytest.raises(DecodeError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert decode("通知".encode("gbk")) == "通知"
    assert decode("\ufeff通知".encode()) == "通知"
    lines = clean_lines("第一行\u200b\r\n\u3000\u3000第二行\u00a0\r\r第三行")
    assert [(li.number, li.text) for li in lines] == [(1, "第一行"), (2, "第二行"), (4, "第三行")]
