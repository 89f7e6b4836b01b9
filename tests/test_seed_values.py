"""The five real seeds give the values a reader of each notice would write down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import read_notice


def notice_from(root: Path, seed_prefix: str) -> tuple[dict, str]:
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    entry = next(e for e in report if Path(e["source"]).name.startswith(seed_prefix))
    return read_notice(root / entry["output"])


def test_000_bullets_and_two_inline_attachments(normalized_seeds: Path) -> None:
    meta, body = notice_from(normalized_seeds, "000")
    assert meta["title"] == "泉州市鲤城区教育局关于印发《鲤城区2024年初等与学前教育工作意见》的通知"
    assert meta["index_no"] == "QZ01113-1000-2024-00008"
    assert meta["doc_no"] == "泉鲤政教〔2024〕15号"
    assert meta["publisher"] == "鲤城区教育局"
    assert meta["written"] == "2024-02-21"
    assert meta["published"] == "2024-02-23T09:39:00+08:00"
    assert meta["doc_type"] == "通知"
    assert meta["addressee"] == "区教师进修学校、各小学、幼儿园、区开智学校"
    assert meta["signers"] == ["泉州市鲤城区教育局"]
    assert meta["signed"] == "2024-02-21"
    assert meta["disclosure"] == "主动公开"
    assert meta["attachments"] == [
        {"number": 1, "title": "鲤城区教育局初幼特教2024年工作要点", "inline": True},
        {"number": 2, "title": "鲤城区2024年初幼特教月份主要工作安排", "inline": True},
    ]
    # The one guess: the document it rests on, named with its 发文字号 (根据《…》（闽教基〔2022〕5号）)
    assert meta["inferred"] == ["relations"]
    assert meta["relations"] == [{"type": "依据", "target": "闽教基〔2022〕5号"}]
    for furniture in ("附件下载", "扫一扫在手机上查看当前页面", "相关解读", "文字解读", "媒体报道"):
        assert furniture not in body
    assert "{#attachment-1 .attachment-label}\n附件1" in body
    assert "{#attachment-2 .attachment-label}\n附件2" in body


def test_001_title_line_and_inferred_publisher(normalized_seeds: Path) -> None:
    meta, body = notice_from(normalized_seeds, "001")
    assert meta["title"] == "泉州市鲤城区教育局关于印发《2022年鲤城教育工作要点》的通知"
    assert meta["published"] == "2022-04-15T17:49:00+08:00"
    assert meta["written"] == "2022-03-29"
    assert meta["publisher"] == "泉州市鲤城区教育局"
    assert "publisher" in meta["inferred"]
    assert meta["signers"] == ["泉州市鲤城区教育局"]
    assert meta["disclosure"] == "主动公开"
    assert meta["attachments"] == [{"number": None, "title": "2022年鲤城教育工作要点", "inline": True}]
    assert "浏览量" not in body


def test_002_cover_letter_with_printed_document(normalized_seeds: Path) -> None:
    meta, body = notice_from(normalized_seeds, "002")
    assert meta["index_no"] == "SM05104-0300-2023-00006"
    assert meta["doc_no"] == "清教党组〔2023〕1号"
    assert meta["publisher"] == "清流县教育局"
    assert meta["written"] == "2023-01-13"
    assert meta["signed"] == "2023-01-12"
    assert any("2023-01-13" in w and "2023-01-12" in w for w in meta["warnings"])
    assert meta["signers"] == ["中共清流县教育局党组", "清流县教育局"]
    assert "title" in meta["inferred"]
    # No title printed: the cover letter's standard form, its signers as the 发文机关 (a guess).
    assert meta["title"] == ("中共清流县教育局党组 清流县教育局关于印发"
                             "《关于筑牢教育质量意识,全力推进教育改革的意见》的通知")
    assert meta["doc_type"] == "通知" and "doc_type" in meta["inferred"]
    # The printed document is a section of its own, headed by its (wrapped) title.
    assert "::: document\n## 关于筑牢教育质量意识全力推进教育改革的意见\n" in body
    assert "扫一扫" not in body


def test_003_no_metadata_and_glued_furniture(normalized_seeds: Path) -> None:
    meta, body = notice_from(normalized_seeds, "003")
    assert meta["publisher"] == "平顶山市教育体育局"
    assert "publisher" in meta["inferred"]
    assert meta["title"] and "2020年平顶山市基础教育工作" in meta["title"]
    assert "title" in meta["inferred"]
    for key, label in (("index_no", "索引号"), ("doc_no", "发文字号"), ("written", "成文日期"),
                       ("published", "发布日期")):
        assert meta[key] is None
        assert any(label in w for w in meta["warnings"])
    assert body.lstrip().startswith("2020年平顶山市基础教育工作的总体要求是")
    for furniture in ("欢迎光临", "繁体", "ipv6", "版权所有", "ICP", "公网安备", "网站标识码", "技术支持"):
        assert furniture not in body


def test_004_label_on_next_line_and_broken_lines(normalized_seeds: Path) -> None:
    meta, body = notice_from(normalized_seeds, "004")
    assert meta["index_no"] == "SY0024784891202400022"
    assert meta["category"] == "科技、教育、知识产权-教育"
    assert meta["publisher"] == "上海市崇明区教育局"
    assert meta["doc_no"] == "沪崇教〔2024〕1号"
    assert meta["written"] == "2024-02-17"
    assert meta["published"] == "2024-02-26"
    assert meta["effective"] is None and meta["expires"] is None
    assert "title" in meta["inferred"]
    assert meta["title"] == "上海市崇明区教育局关于印发《上海市崇明区教育局2024年工作要点》的通知"
    assert meta["signers"] == ["上海市崇明区教育局"]
    assert meta["attachments"] == [
        {"number": None, "title": "上海市崇明区教育局2024年工作要点", "inline": True},
        {"number": None, "title": "上海市崇明区教育局2024年重点工作任务表", "inline": False},
    ]
    assert "为了便于其他人查询和了解政策" not in body
    paragraph = next(p for p in body.split("\n\n") if "新五项标准" in p)
    assert "要求,按照教育实际需求" in paragraph


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_is_tagged_education(normalized_seeds: Path, prefix: str) -> None:
    meta, _ = notice_from(normalized_seeds, prefix)
    assert "教育" in meta["tags"]
    assert meta["source"].startswith("seeds/") and meta["source"].endswith(".txt")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_front_matter_has_every_key_in_order(normalized_seeds: Path, prefix: str) -> None:
    from builder.model import FRONT_MATTER_KEYS, OPTIONAL_KEYS

    meta, _ = notice_from(normalized_seeds, prefix)
    assert tuple(key for key in meta if key not in OPTIONAL_KEYS) == FRONT_MATTER_KEYS
    assert all(meta[key] for key in meta if key in OPTIONAL_KEYS)  # written only when they hold something
