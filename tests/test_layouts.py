"""Notices written for these tests in the other metadata layouts portals use, in other encodings (in
tests/helpers.py: tests/test_guarantees.py checks them for losslessness too)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import GOVCN_NEXT_LINE, read_notice, run_cli, write_samples


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
