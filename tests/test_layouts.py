"""Notices written for these tests in the other layouts of FORMAT.md, in other encodings."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import read_notice, run_cli

# gov.cn table scraped one cell per line: spaced labels (U+3000), label above value,
# Chinese-numeral dates, a 标题 row; GB18030 bytes with CRLF newlines.
GOVCN_NEXT_LINE = """索　引　号：
000099999/2018-00222
主题分类：
卫生、体育\\医药管理
发文机关：
示例省人民政府
成文日期：
二〇一八年十二月二十一日
标　　题：
示例省人民政府关于印发示例省医疗卫生服务体系规划的通知
发文字号：
示政发[2018]43号
发布日期：
2018年12月29日
示例省人民政府关于印发示例省医疗卫生服务体系规划的通知
示政发〔2018〕43号
各市、县人民政府，省政府各部门：
现将《示例省医疗卫生服务体系规划》印发给你们，请认真贯彻执行。
示例省人民政府
二〇一八年十二月二十一日
（此件公开发布）
"""

# Several label/value pairs per line without colons (a table scraped with tabs), stray
# spaces in a date, furniture around it, and words like 分享/打印 inside real sentences.
TABLE_NO_COLONS = """当前位置：首页 > 政务公开 > 通知公告
【字体：大 中 小】【打印本页】【关闭窗口】
索引号\tXX-2024-001\t主题分类\t综合政务\\其他
发布机构\t示例县人民政府办公室\t成文日期\t2024年 3月 5 日
发文字号\t示政办〔2024〕7号\t发布日期\t2024-03-06 10:20:00
示例县人民政府办公室关于做好2024年春季
安全生产工作的通知
各乡镇人民政府，县直各单位：
为做好春季安全生产工作，现就有关事项通知如下。
一、提高思想认识
各单位要及时分享经验，打印并张贴安全须知，确保安全。
二、落实工作责任
（一）压实属地责任。各乡镇要落实属地管理责任。
（二）压实部门责任。各部门要按照职责分工抓好落实。
示例县人民政府办公室
2024年3月5日
（此件主动公开）
责任编辑：张三
主办单位：示例县人民政府办公室
联系电话：0000-1234567
版权所有：示例县人民政府 网站标识码 1234567890
"""

# A joint document with three signers and one of two attachments inline; UTF-16 with BOM.
JOINT_THREE_SIGNERS = """发布机构：示例市教育局
成文日期：2023-09-01
示例市教育局 示例市财政局 示例市人力资源和社会保障局关于做好教师培训经费保障工作的通知
各县（市、区）教育局、财政局、人力资源和社会保障局：
为规范教师培训经费管理，提高资金使用效益，现将有关事项通知如下。请遵照执行。
附件：1.示例市教师培训经费管理办法
      2.示例市教师培训项目申报表
示例市教育局
示例市财政局
示例市人力资源和社会保障局
2023年9月1日
（此件主动公开）
附件1
示例市教师培训经费管理办法
第一条 为规范教师培训经费管理，制定本办法。
第二条 本办法适用于全市各级各类学校。
"""

# A 函 with no 附注 and colon-less labels; old Mac CR newlines.
LETTER_NO_NOTE = """索引号 SL-2024-0012
发文字号 示教函〔2024〕12号
示例市教育局关于商请支持开展校园足球联赛的函
市体育局：
为推动校园足球发展，我局拟于2024年5月举办全市校园足球联赛，现商请贵局在场地和裁判方面给予支持。
妥否，请函复。
示例市教育局
2024年4月2日
"""

# gov.cn's table scraped with tabs, two pairs a row, an empty 主题词 right above the title,
# a breadcrumb without its 当前位置 label, and sections that run into their text beside a
# one-sentence section.
GOVCN_TABS = """首页 > 政策 > 国务院文件
索 引 号：\t000088888/2018-00111\t主题分类：\t卫生、体育\\医药管理
发文机关：\t示例国务院部门\t成文日期：\t2018年12月21日
标　　题：\t示例部门关于印发加快推进示例工作若干措施的通知
发文字号：\t示发〔2018〕43号\t发布日期：\t2018年12月29日
主 题 词：\t
示例部门关于印发加快推进示例工作若干措施的通知
示发〔2018〕43号
各省、自治区、直辖市示例厅（局）：
现将《加快推进示例工作若干措施》印发给你们，请认真贯彻执行。
附件：加快推进示例工作若干措施
示例国务院部门
2018年12月21日
（此件公开发布）
附件
加快推进示例工作若干措施
一、强化基层
（一）加强基层机构建设。各地要加大投入。
（二）完善分级诊疗制度。
二、深化改革
（一）完善体制
（二）健全机制
"""


# Several pairs a line parted by spaces, labels of another portal (信息分类, 名称, 效力状态),
# a download list standing in for the 附件说明, and a footer of 主办/承办 beside an ICP line.
SPACED_PAIRS = """索 引 号：011000001/2024-00001    文　　号：示教发〔2024〕5号
信息分类：教育、文化、卫生、体育\\教育    发布机构：示例省教育厅
生成日期：2024-06-03    发布日期：2024-06-05
名　　称：示例省教育厅关于加强中小学生心理健康工作的通知
效力状态：有效
各市、州教育局：
为进一步加强中小学生心理健康工作，现就有关事项通知如下。
一、提高认识
心理健康工作关系学生健康成长。
二、组织保障
各地要加强领导，确保各项措施落到实处。
示例省教育厅
2024年6月3日
（此件主动公开）
附件下载：
1.中小学生心理健康监测指标.pdf
2.工作台账模板.xlsx
【打印】 【关闭】
主办：示例省教育厅　　承办：示例省教育信息化中心
示ICP备05000000号　示公网安备 00000000000000号
"""

# A label no table row knows (文件属性) inside the block, under the title and 发文字号, and
# a download list that repeats the 附件说明 with the files' endings and sizes.
POLICY_BLOCK = """示例市人民政府关于印发《示例市促进产业创新发展实施方案》的通知
示政发〔2023〕22号
发文机构：示例市人民政府
实施日期：2023-09-08
成文日期：2023-09-08
发布日期：2023-09-14
文件属性：普发
有效性：有效
各区人民政府，市政府各委、办、局：
现将《示例市促进产业创新发展实施方案》印发给你们，请认真贯彻落实。
附件：1.示例市产业重点方向
2.示例市产业培育路线图
示例市人民政府
2023年9月8日
（此件公开发布）
相关附件：
附件1：示例市产业重点方向.pdf（35KB）
附件2：示例市产业培育路线图.docx
"""


# A wrapped title, a 发文字号 in round brackets, two 附件说明 items on one line, attachments
# whose labels carry their titles (附件1：…), and the 版记 (抄送, 印发) at the end.
TITLED_ATTACHMENTS = """示例市人民政府办公室关于印发示例市2024年
优化营商环境工作要点的通知
示政办发（2024）3号
各县（市、区）人民政府，市直各单位：
《示例市2024年优化营商环境工作要点》已经市政府同意，现印发给你们，请认真组织实施。
附件：1.示例市2024年优化营商环境工作要点 2.任务分工表
示例市人民政府办公室
2024年1月15日
（此件公开发布）
附件1：示例市2024年优化营商环境工作要点
为持续优化营商环境，制定本要点。
一、提升政务服务效能
1.推进“一网通办”。
附件2：任务分工表
推进一网通办：市政务服务局。
抄送：市委办公室，市人大常委会办公室。
示例市人民政府办公室 2024年1月15日印发
"""

# A 公告 numbered by year, opening with a sentence that ends in a colon, signed and dated
# on one line.
ANNOUNCEMENT = """示例县教育局公告
2024年第3号
根据工作需要，现将2024年秋季学期中小学招生有关事项公告如下：
1.招生对象：具有本县户籍的适龄儿童。
2.报名时间：2024年7月1日至7月10日。
特此公告。
示例县教育局 2024年6月20日
"""

# A 批复 under a byline of the portal's (来源 … 作者 …) whose 一、 lines are sentences.
REPLY = """发布时间：2024-05-08  来源：示例市教育局  作者：办公室  阅读次数：328
示例市教育局关于同意设立示例市第一实验小学的批复
示教复〔2024〕8号
示例区教育局：
你局《关于申请设立示例市第一实验小学的请示》收悉。经研究，批复如下：
一、同意设立示例市第一实验小学，办学规模为36个教学班。
二、请你局按照有关规定做好相关工作。
此复。
示例市教育局
二〇二四年五月六日
（联系人：张三，电话：0000-1234567）
"""


# Two bodies that issue the notice together: their names open the title, wrapped over three
# lines, and share the signature line; sections that are items of a list (；).
JOINT_ONE_LINE = """索引号: 11350200MB0000000X/2024-00015
发布机构: 示例区人力资源和社会保障局
所属主题: 劳动、人事、监察\\人事工作
示例区人力资源和社会保障局 示例区财政局
关于调整2024年度区直机关事业单位工作人员
带薪年休假补贴标准的通知
区直各单位：
为进一步规范带薪年休假补贴发放工作，经研究，现就调整有关补贴标准通知如下：
一、调整标准
（一）工作满1年不满10年的，年休假补贴标准为每人每年3000元；
（二）工作满10年以上的，年休假补贴标准为每人每年4000元。
二、执行时间
本通知自2024年1月1日起执行。
示例区人力资源和社会保障局　　　　示例区财政局
2024年7月10日
（此件主动公开）
"""


def write_samples(root: Path) -> None:
    raw = root / "raw"
    raw.mkdir()
    (raw / "govcn.txt").write_bytes(GOVCN_NEXT_LINE.replace("\n", "\r\n").encode("gb18030"))
    (raw / "table.txt").write_bytes(TABLE_NO_COLONS.encode("utf-8-sig"))
    (raw / "joint.txt").write_bytes(JOINT_THREE_SIGNERS.encode("utf-16"))
    (raw / "letter.txt").write_bytes(LETTER_NO_NOTE.replace("\n", "\r").encode("utf-8"))
    (raw / "tabs.txt").write_text(GOVCN_TABS, encoding="utf-8")
    (raw / "spaced.txt").write_text(SPACED_PAIRS, encoding="utf-8")
    (raw / "policy.txt").write_text(POLICY_BLOCK, encoding="utf-8")
    (raw / "titled.txt").write_text(TITLED_ATTACHMENTS, encoding="utf-8")
    (raw / "announcement.txt").write_text(ANNOUNCEMENT, encoding="utf-8")
    (raw / "reply.txt").write_text(REPLY, encoding="utf-8")
    (raw / "joint-line.txt").write_text(JOINT_ONE_LINE, encoding="utf-8")


def normalized(tmp_path: Path) -> dict[str, tuple[dict, str]]:
    write_samples(tmp_path)
    result = run_cli("normalize", "raw", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    notices = [read_notice(p) for p in sorted((tmp_path / "out").glob("*.md"))]
    return {Path(meta["source"]).stem: (meta, body) for meta, body in notices}


def test_govcn_label_above_value_in_gb18030(tmp_path: Path) -> None:
    meta, _ = normalized(tmp_path)["govcn"]
    assert meta["index_no"] == "000099999/2018-00222"
    assert meta["category"] == "卫生、体育\\医药管理"
    assert meta["publisher"] == "示例省人民政府"
    assert meta["written"] == "2018-12-21"
    assert meta["published"] == "2018-12-29"
    assert meta["title"] == "示例省人民政府关于印发示例省医疗卫生服务体系规划的通知"
    assert meta["doc_no"] == "示政发〔2018〕43号"
    assert meta["signed"] == "2018-12-21"
    assert meta["disclosure"] == "公开发布"
    assert meta["doc_type"] == "通知"
    assert meta["inferred"] == []
    assert meta["addressee"] == "各市、县人民政府，省政府各部门"


def test_table_without_colons_and_furniture(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["table"]
    assert meta["index_no"] == "XX-2024-001"
    assert meta["category"] == "综合政务\\其他"
    assert meta["publisher"] == "示例县人民政府办公室"
    assert meta["written"] == "2024-03-05"
    assert meta["doc_no"] == "示政办〔2024〕7号"
    assert meta["published"] == "2024-03-06T10:20:00+08:00"
    assert meta["title"] == "示例县人民政府办公室关于做好2024年春季安全生产工作的通知"
    assert "## 一、提高思想认识" in body and "### （一）压实属地责任。各乡镇要落实属地管理责任。" not in body
    assert "（一）压实属地责任。各乡镇要落实属地管理责任。" in body
    assert "各单位要及时分享经验，打印并张贴安全须知，确保安全。" in body
    for furniture in ("当前位置", "字体", "打印本页", "责任编辑", "主办单位", "联系电话", "版权所有"):
        assert furniture not in body


def test_joint_document_three_signers_utf16(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["joint"]
    assert meta["signers"] == ["示例市教育局", "示例市财政局", "示例市人力资源和社会保障局"]
    assert meta["signed"] == "2023-09-01"
    assert meta["attachments"] == [
        {"number": 1, "title": "示例市教师培训经费管理办法", "inline": True},
        {"number": 2, "title": "示例市教师培训项目申报表", "inline": False},
    ]
    assert "::: signature\n示例市教育局\n\n示例市财政局\n\n示例市人力资源和社会保障局\n\n2023年9月1日\n:::" in body


def test_letter_without_note(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["letter"]
    assert meta["doc_type"] == "函"
    assert meta["disclosure"] is None
    assert meta["index_no"] == "SL-2024-0012"
    assert meta["doc_no"] == "示教函〔2024〕12号"
    assert meta["addressee"] == "市体育局"
    assert meta["written"] == "2024-04-02" and "written" in meta["inferred"]
    assert meta["publisher"] == "示例市教育局" and "publisher" in meta["inferred"]
    assert not any("公开" in warning for warning in meta["warnings"])
    assert "妥否，请函复。" in body


def test_govcn_tabs_with_an_empty_label_above_the_title(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["tabs"]
    assert meta["title"] == "示例部门关于印发加快推进示例工作若干措施的通知"  # no breadcrumb glued on
    assert meta["extra"] == {}  # 主题词 is empty: it does not take the title below it
    assert meta["index_no"] == "000088888/2018-00111" and meta["doc_no"] == "示发〔2018〕43号"
    assert meta["published"] == "2018-12-29" and meta["written"] == "2018-12-21"
    assert "首页" not in body
    assert "\n（一）加强基层机构建设。各地要加大投入。\n\n（二）完善分级诊疗制度。\n" in body  # both run in
    assert "### （一）完善体制" in body and "### （二）健全机制" in body  # both headings


def test_spaced_pairs_other_labels_and_a_download_list(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["spaced"]
    assert meta["title"] == "示例省教育厅关于加强中小学生心理健康工作的通知"
    assert (meta["index_no"], meta["doc_no"]) == ("011000001/2024-00001", "示教发〔2024〕5号")
    assert (meta["category"], meta["publisher"]) == ("教育、文化、卫生、体育\\教育", "示例省教育厅")
    assert (meta["written"], meta["published"], meta["validity"]) == ("2024-06-03", "2024-06-05", "有效")
    assert meta["addressee"] == "各市、州教育局" and meta["inferred"] == []
    # The portal's download list is the attachment list this notice does not print.
    assert meta["attachments"] == [{"number": 1, "title": "中小学生心理健康监测指标", "inline": False},
                                   {"number": 2, "title": "工作台账模板", "inline": False}]
    for furniture in ("附件下载", ".pdf", ".xlsx", "主办", "承办", "ICP"):
        assert furniture not in body
    assert body.rstrip().endswith("{.note}\n（此件主动公开）")


def test_an_unknown_label_in_the_block_and_a_repeated_download_list(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["policy"]
    assert meta["extra"] == {"文件属性": "普发"}
    assert (meta["effective"], meta["validity"], meta["doc_no"]) == ("2023-09-08", "有效", "示政发〔2023〕22号")
    assert meta["addressee"] == "各区人民政府，市政府各委、办、局"
    assert meta["attachments"] == [{"number": 1, "title": "示例市产业重点方向", "inline": False},
                                   {"number": 2, "title": "示例市产业培育路线图", "inline": False}]
    assert "文件属性" not in body and "相关附件" not in body and ".pdf" not in body


def test_attachments_whose_labels_carry_their_titles(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["titled"]
    assert meta["title"] == "示例市人民政府办公室关于印发示例市2024年优化营商环境工作要点的通知"
    assert meta["doc_no"] == "示政办发〔2024〕3号"
    assert meta["attachments"] == [{"number": 1, "title": "示例市2024年优化营商环境工作要点", "inline": True},
                                   {"number": 2, "title": "任务分工表", "inline": True}]
    assert "- 1\\.示例市2024年优化营商环境工作要点\n- 2\\.任务分工表" in body
    assert "{#attachment-2 .attachment-label}\n附件2：\n\n## 任务分工表" in body
    assert body.rstrip().endswith("抄送：市委办公室，市人大常委会办公室。\n\n"
                                  "示例市人民政府办公室 2024年1月15日印发\n:::")


def test_an_announcement_numbered_by_year_and_signed_on_one_line(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["announcement"]
    assert (meta["title"], meta["doc_type"], meta["doc_no"]) == ("示例县教育局公告", "公告", "2024年第3号")
    assert meta["addressee"] is None  # 根据…如下： leads into the text
    assert (meta["signers"], meta["signed"]) == (["示例县教育局"], "2024-06-20")
    assert "::: signature\n示例县教育局\n\n2024年6月20日\n:::" in body
    assert "\n根据工作需要，现将2024年秋季学期中小学招生有关事项公告如下：\n" in body


def test_a_reply_under_a_byline_with_sentences_numbered_as_chapters(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["reply"]
    assert meta["extra"] == {"来源": "示例市教育局", "作者": "办公室"}
    assert (meta["published"], meta["doc_type"], meta["addressee"]) == ("2024-05-08", "批复", "示例区教育局")
    assert "\n一、同意设立示例市第一实验小学，办学规模为36个教学班。\n" in body and "## " not in body
    assert body.rstrip().endswith("{.note}\n（联系人：张三，电话：0000-1234567）")


def test_a_printed_title_other_than_the_labelled_one_is_kept(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    printed = "示例省人民政府关于印发医疗卫生服务体系规划的通知"
    labelled = "示例省人民政府关于印发示例省医疗卫生服务体系规划的通知"
    text = GOVCN_NEXT_LINE.replace(f"{labelled}\n示政发", f"{printed}\n示政发")
    (raw / "notice.txt").write_text(text.replace("43号\n各市", "44号\n各市"), encoding="utf-8")
    assert run_cli("normalize", "raw", "--out", "out", cwd=tmp_path).returncode == 0
    meta, _ = read_notice(next((tmp_path / "out").glob("*.md")))
    assert meta["title"] == labelled
    assert meta["extra"] == {"正文标题": printed, "正文发文字号": "示政发〔2018〕44号"}
    assert len([w for w in meta["warnings"] if "与文中印出的不同" in w]) == 2


def test_joint_signers_on_one_line_and_list_items(tmp_path: Path) -> None:
    meta, body = normalized(tmp_path)["joint-line"]
    # The joint issuers' line over the title is its 发文机关标志, not part of the title (as on
    # the real pages of the corpus: ndrc.gov.cn prints 国家发展改革委办公厅 国家能源局综合司 so).
    assert meta["title"] == "关于调整2024年度区直机关事业单位工作人员带薪年休假补贴标准的通知"
    assert meta["signers"] == ["示例区人力资源和社会保障局", "示例区财政局"]
    assert (meta["category"], meta["addressee"]) == ("劳动、人事、监察\\人事工作", "区直各单位")
    assert "## 一、调整标准" in body and "\n（一）工作满1年不满10年的，" in body and "### " not in body
