"""The normaliser on real notices (../shared/corpus, beside the repository): the labelled
development set scored by the corpus's own score.py, and the unlabelled bulk set read
without a traceback, losslessly, idempotently and with titles free of page furniture;
and `normalize --explain` on them and on a seed, in either language."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from unicodedata import east_asian_width

import pytest

from tests.helpers import CHINESE_ENV, REPO, read_notice, rendered_text, run_cli, run_in, squeeze

CORPUS = REPO.parent / "shared" / "corpus"
MIN_SCORE = 0.95
MAX_TITLE = 120
# 国发〔2018〕43号, 2024年第3号, 国令第706号
DOC_NO_SHAPE = re.compile(r"[^\s，。]{1,20}〔\d{4}〕\d{1,5}号|(?:\d{4}年)?第\d{1,5}号|[^\s，。]{0,20}令第\d{1,5}号")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Words that only a page's chrome prints (a notice's title may well say 政务服务 or 信息公开).
CHROME = re.compile("设为首页|网站首页|加入收藏|网站地图|工作邮箱|机构概览|动态要闻|在线办事|互动回应|联系我们"
                    "|无障碍|长者模式|关怀版|繁体版|扫一扫|打印本页|关闭窗口|字体[:：]|版权所有|当前位置|_")

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the real-notice corpus is not beside the repository")


@needs_corpus
def test_the_development_set_scores_at_least_95_percent(tmp_path: Path) -> None:
    result = run_cli("normalize", str(CORPUS / "dev" / "raw"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert "Traceback" not in result.stderr
    scored = subprocess.run([sys.executable, str(CORPUS / "score.py"), str(CORPUS / "dev" / "expected.yaml"),
                             str(tmp_path / "out"), "--min", str(MIN_SCORE)],
                            capture_output=True, text=True, check=False)
    print(scored.stdout.splitlines()[-1])
    assert scored.returncode == 0, scored.stdout


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("bulk")
    result = run_cli("normalize", str(CORPUS / "bulk"), "--out", "out", "--report", "report.json", cwd=root)
    return root, result


@needs_corpus
def test_every_bulk_item_is_normalised_or_refused_in_one_line(bulk: tuple[Path, subprocess.CompletedProcess[str]]) \
        -> None:
    _, result = bulk
    assert "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert all(line.startswith("error: ") for line in errors)
    total = len([p for p in (CORPUS / "bulk").rglob("*") if p.suffix in (".txt", ".html")])
    written = int(re.search(r"(\d+) written", result.stdout)[1])  # type: ignore[index]
    assert written + len(errors) == total
    assert written >= total * 0.95


@needs_corpus
def test_bulk_titles_and_doc_nos_are_what_they_say(bulk: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """No title runs long or holds a page's chrome, a breadcrumb's > or a line break's
    spaces; every 发文字号 has the shape of one."""
    root, _ = bulk
    for path in sorted((root / "out").glob("*.md")):
        meta, _ = read_notice(path)
        title = meta["title"] or ""
        unnested = re.sub(r"<[^<>]*>", "", title)  # 《关于印发<…>的通知》 nests its marks so
        assert len(title) <= MAX_TITLE and ">" not in unnested and "\u3000" not in title, (meta["source"], title)
        assert not CHROME.search(title), (meta["source"], title)
        assert meta["doc_no"] is None or DOC_NO_SHAPE.fullmatch(meta["doc_no"]), (meta["source"], meta["doc_no"])


@needs_corpus
def test_bulk_text_files_lose_nothing(bulk: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """Every character of a text file is furniture in the report, in the body, or on a line
    named as a field's source (entities compared as the characters they stand for)."""
    root, _ = bulk
    for entry in json.loads((root / "report.json").read_text(encoding="utf-8")):
        if not entry["source"].endswith(".txt"):
            continue
        _, body = read_notice(root / entry["output"])
        shown = rendered_text(body)
        furniture: dict[int, list[str]] = {}
        for piece in entry["furniture"]:
            furniture.setdefault(piece["line"], []).append(squeeze(piece["text"]))
        sources = {item["line"] for items in entry["fields"].values() for item in items}
        raw = Path(entry["source"]).read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(raw, start=1):
            rest = squeeze(INVISIBLE.sub("", unescape(line)))
            for piece in furniture.get(number, []):
                rest = rest.replace(piece, "", 1)
            assert not rest or rest in shown or number in sources, f"{entry['source']}:{number} lost: {rest[:80]}"


@needs_corpus
def test_bulk_normalises_the_same_the_second_time(bulk: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, first = bulk
    again = run_cli("normalize", str(CORPUS / "bulk"), "--out", "out", cwd=root)
    written = re.search(r"(\d+) written", first.stdout)[1]  # type: ignore[index]
    assert f"0 written, {written} unchanged" in again.stdout


@needs_corpus
def test_explain_names_each_fields_candidates_and_each_lines_role(tmp_path: Path) -> None:
    raw = CORPUS / "dev" / "raw"
    cases = {
        # a browser title line, the portal's heading and the printed title over its 发文字号
        "t002.txt": ["title: 关于修订省间电力现货交易规则的复函  ← the printed title",
                     "[the page's heading; line 9, 14]", "[the page's title line; line 1]",
                     "furniture: breadcrumb", "page title line", "发文字号"],
        # one line holding the whole notice
        "p008.txt": ["doc_no: 渝府办函〔2021〕52号 (a guess)  ← the 发文字号 printed with the title",
                     "[the title's issuer (XX关于…); line 1]", "主送机关", "附件说明 item"],
        # labels over their values, and the date under 特此通知 with no signer
        "t030.txt": ["index_no: 11120000MB1896646L/2021-00073  ← the metadata label",
                     "written: 2021-02-02 (a guess)  ← the date under the signature", "metadata: 索引号"],
    }
    for name, expected in cases.items():
        result = run_cli("normalize", "--explain", str(raw / name), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        for text in expected:
            assert text in result.stdout, (name, text)
        numbers = [int(line.split()[0]) for line in result.stdout.split("lines:\n")[1].splitlines()]
        assert numbers == sorted(numbers) and numbers, name
    assert not (tmp_path / "content").exists()  # --explain writes nothing


# A line of --explain's `lines:`: its number, its role (a single space may fall inside one) and its text.
ROLE_ROW = re.compile(r" +\d+  (?P<role>.+?)  +(?=\S)")
ENGLISH_WORD = re.compile(r"[a-z]{3,}")


def _width(text: str) -> int:
    return sum(2 if east_asian_width(char) in "WF" else 1 for char in text)


def test_explain_speaks_chinese_by_default_and_english_on_request(tmp_path: Path) -> None:
    seed = str(REPO / "seeds" / "000_3ebe934278dd8e3c.txt")
    chinese = run_in(CHINESE_ENV, "normalize", "--explain", seed, cwd=tmp_path)
    english = run_in(CHINESE_ENV, "--lang", "en", "normalize", "--explain", seed, cwd=tmp_path)
    assert chinese.returncode == english.returncode == 0, chinese.stderr + english.stderr
    for said in ("\n字段：\n", "  索引号（index_no）：QZ01113-1000-2024-00008  ← 元数据标签\n",
                 "      候选值 泉州市鲤城区教育局  [落款；第 18 行]\n", "[标题中的发文机关（XX关于…）；第 5 行]",
                 "  附件（attachments）：2  ← 附件说明、附件正文和网页上的附件文件\n", "[落款日期；第 20 行]",
                 "（推测）  ← 根据《X》（文号）\n", "\n逐行：\n", "  网页杂项：分享栏  ", "  附件：小标题 一、  ",
                 "  附件：标号  ", "  落款机关  ", "  段落  ", "  主送机关  "):
        assert said in chinese.stdout, said
    fields, lines = chinese.stdout.split("\n逐行：\n")
    rules = re.findall(r"← (.*)$|\[([^[]*)；第 [\d，]+ 行\]$", fields, re.MULTILINE)
    roles = [ROLE_ROW.match(row) for row in lines.splitlines()]
    assert rules and all(roles)
    # No English in the rules and roles (the seed's own words are Chinese), and the text
    # column where the role's width says, a Chinese character taking two columns.
    assert not [rule for rule in rules if ENGLISH_WORD.search("".join(rule))]
    assert not [row.group("role") for row in roles if row and ENGLISH_WORD.search(row.group("role"))]
    assert {_width(row.group()) for row in roles if row} == {2 + 4 + 2 + 34 + 1}
    for said in ("\nfields:\n", "  index_no: QZ01113-1000-2024-00008  ← the metadata label\n",
                 "      candidate 泉州市鲤城区教育局  [the signature; line 18]\n",
                 "[the title's issuer (XX关于…); line 5]", "  furniture: share bar  ", "  attachment: heading 一、  ",
                 "  date under the signature  ", "  signer  ", "\nlines:\n", "(a guess)  ← 根据《X》（文号）\n"):
        assert said in english.stdout, said
    assert not [word for word in ("字段", "候选值", "逐行", "元数据", "网页杂项", "落款机关") if word in english.stdout]
    # --report is for programs: its roles and rules are the English names whatever the language
    reported = run_in(CHINESE_ENV, "normalize", seed, "--out", "out", "--report", "report.json", cwd=tmp_path)
    assert reported.returncode == 0, reported.stderr
    [explained] = [entry["explain"] for entry in json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))]
    assert explained["fields"]["index_no"]["rule"] == "the metadata label"
    assert {"furniture: share bar", "attachment: heading 一、", "signer"} <= {row["role"] for row in explained["lines"]}
