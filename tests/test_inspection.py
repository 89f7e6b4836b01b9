"""gongkai check's inspection: a clean site finds nothing; a site that breaks each rule once
finds each once, located, in the table, the JSON and the HTML report (axe and the Nu Html
Checker pass it); personal numbers are found exactly (never in real notices' 发文字号,
索引号, dates or digit runs) and masked by --fix-personal-data; deploy refuses 不合格."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from builder.inspection import RULES
from builder.inspection.links import link_problem
from builder.inspection.personal import find_personal, id_number, luhn, mask_personal
from tests.helpers import REPO, VNU, axe_violations, free_port, http_server, run_cli

CORPUS = REPO.parent / "shared" / "corpus"
ID = "440102199003071236"  # a resident ID number with a right GB 11643 check digit (made up)
CARD = "6222021234567890128"  # a UnionPay card number passing Luhn (made up)
MOBILE = "13912345678"
FOOTER = """footer:
  sponsor: 示例市教育局
  site_code: "3502000001"
  icp: 闽ICP备12345678号-1
  police: 闽公网安备35020302000123号
"""
AGENCY = "11350500MB1749203Y"


def site_yaml(root: Path, extra: str = "", footer: str = FOOTER) -> None:
    (root / "site.yaml").write_text(f"title: 示例信息公开\nbase_url: https://example.gov.cn/xxgk/\nsearch: false\n"
                                    f"{footer}{extra}", encoding="utf-8")


def notice(root: Path, number: int, body: str = "正文。\n", slug: str | None = None, **fields: object) -> str:
    """A content file with every key a clean notice has; `fields` override them."""
    index = f"{AGENCY}/2024-{number:05d}"
    values: dict[str, object] = {
        "title": f"示例市教育局关于第{number}项工作的通知", "index_no": index, "doc_no": f"示教〔2024〕{number}号",
        "publisher": "示例市教育局", "written": "2024-05-10", "published": "2024-05-12", "signed": "2024-05-10",
        "doc_type": "通知", "tags": ["教育"], "attachments": [], "warnings": []}
    values.update(fields)
    slug = slug or re.sub(r"[^a-z0-9]+", "-", str(values["index_no"] or f"n{number}").lower()).strip("-")
    folder = root / "content/notices"
    folder.mkdir(parents=True, exist_ok=True)
    front = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in values.items())
    (folder / f"{slug}.md").write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return f"content/notices/{slug}.md"


def clean_site(root: Path, extra: str = "") -> None:
    site_yaml(root, extra)
    notice(root, 1, title="示例市教育局关于印发《示例市中小学管理办法》的通知", doc_type="行政规范性文件")
    notice(root, 2, title="《示例市中小学管理办法》政策解读", doc_no=None, doc_type="政策解读", published="2024-05-13",
           written="2024-05-13", signed=None)
    notice(root, 3, "联系电话：0591-87654321。依据闽政〔2023〕12号，索引号 000014349/2024-00185，"
                    "2024年6月1日起施行，编号20240601123456789012。详见[通知](https://www.example.gov.cn/a/1.html)。\n",
           published="2024-06-01", attachments=[{"number": 1, "title": "名单", "inline": True}])


def check_json(root: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("check", "--format", "json", *args, cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def by_rule(report: dict) -> Counter:
    return Counter(finding["rule"] for finding in report["findings"])


def test_a_clean_site_finds_nothing(tmp_path: Path) -> None:
    clean_site(tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    code, report = check_json(tmp_path, "--strict")
    assert (code, report["findings"], report["as_of"]) == (0, [], "2024-06-01")
    table = run_cli("check", cwd=tmp_path)
    assert table.returncode == 0 and "no problems" in table.stdout and "0 不合格, 0 扣分, 0 提示" in table.stdout
    assert "没有发现问题" in (tmp_path / "public/_inspection/index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site that breaks every rule once (as of 2024-07-01), built, with its built pages
    then damaged by hand where only a built page can break a rule."""
    root = tmp_path_factory.mktemp("broken")
    site_yaml(root, "inspection:\n  stale_columns: 0\n  empty_columns: 0\n",
              FOOTER.replace("闽ICP备12345678号-1", "闽ICP12345678"))
    notice(root, 1, published="2024-06-01")
    notice(root, 2, published=None)  # no_publication_date
    notice(root, 3, written="2024-05-20", signed="2024-05-20")  # published_before_written
    notice(root, 4, published="2024-08-01")  # published_in_future
    notice(root, 5, written="2024-05-10", signed="2024-05-01")  # written_not_signed
    notice(root, 6, warnings=["发布日期 given twice: kept 2024-05-12, ignored 2024-05-03 (line 4)"])
    notice(root, 7, index_no=None, slug="n7")  # index_no_missing
    notice(root, 8, index_no=f"{AGENCY}/2024-00009", slug=f"{AGENCY.lower()}-2024-00009-b")  # index_no_duplicate
    notice(root, 10, index_no="第十号", slug="n10")  # index_no_shape
    notice(root, 11, doc_no="示教〔2024〕99号")  # doc_no_duplicate (with 12)
    notice(root, 12, doc_no="示教〔2024〕99号")
    notice(root, 13, doc_no="示教2024-13")  # doc_no_shape
    notice(root, 14, slug="renamed")  # slug_unstable
    notice(root, 15, f"身份证号：{ID}。\n")  # personal_id
    notice(root, 16, f"联系人手机：{MOBILE}。\n")  # personal_mobile
    notice(root, 17, f"补贴发放至银行卡{CARD}。\n")  # personal_bank_card
    notice(root, 18, doc_type="行政规范性文件")  # policy_without_interpretation
    notice(root, 19, "见[附件](http:/www.example.gov.cn/f.pdf)。\n")  # external_link_malformed
    notice(root, 20, attachments=[{"number": 1, "title": "名单", "inline": False}])  # attachment_not_online
    notice(root, 21, publisher="示例县教育局", published="2023-01-05", written="2023-01-04",
           signed="2023-01-04")  # stale_column
    notice(root, 9)
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    public = root / "public"
    page = public / "subscribe/index.html"
    page.write_text(re.sub(r'<meta name="SiteIDCode"[^>]*>\n?', "", page.read_text(encoding="utf-8")),
                    encoding="utf-8")  # site_id_meta
    archives = public / "archives/index.html"
    archives.write_text(archives.read_text(encoding="utf-8").replace("</main>", '<a href="gone/">旧</a></main>'),
                        encoding="utf-8")  # site_unsound
    (public / "topics/kong").mkdir()  # empty_column
    (public / "topics/kong/index.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="SiteIDCode" content="3502000001">'
        "<title>空栏目</title></head><body><main><h1>空栏目</h1></main></body></html>\n", encoding="utf-8")
    return root


def test_a_site_that_breaks_each_rule_once_finds_each(broken: Path) -> None:
    code, report = check_json(broken, "--as-of", "2024-07-01")
    twice = {"index_no_duplicate", "doc_no_duplicate"}  # each of the two notices is named
    assert by_rule(report) == {rule.name: 2 if rule.name in twice else 1 for rule in RULES
                               if rule.name != "content_invalid"}
    assert code == 1
    found = {f["rule"]: f for f in report["findings"]}
    assert found["personal_id"]["message"] == "身份证号，应公开为 4401**********1236"
    assert found["personal_mobile"]["message"] == "手机号码，应公开为 139****5678"
    assert found["personal_bank_card"]["message"] == "银行卡号，应公开为 6222***********0128"
    assert found["personal_id"]["file"].endswith("-2024-00015.md") and found["personal_id"]["line"] == 15
    assert found["published_before_written"]["message"] == "发布日期 2024-05-12 早于成文日期 2024-05-20"
    assert found["date_given_twice"]["message"] == "发布日期前后不一：元数据为 2024-05-12，正文另有 2024-05-03"
    assert found["home_not_updated"]["line"] == 7 and "已 30 天未更新" in found["home_not_updated"]["message"]
    assert found["stale_column"]["file"].startswith("publishers/")
    assert found["site_unsound"]["file"].endswith("archives/index.html")
    assert found["footer_identifiers"] == {**found["footer_identifiers"], "file": "site.yaml", "line": 7}
    assert "0%" in found["policy_without_interpretation"]["message"]
    severities = [f["severity"] for f in report["findings"]]
    assert severities == sorted(severities, key=["不合格", "扣分", "提示"].index)
    assert all(f["fix"] for f in report["findings"])


def test_the_table_groups_by_rule_worst_first_and_exit_status(broken: Path) -> None:
    result = run_cli("check", "--as-of", "2024-07-01", cwd=broken)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"error: public/archives/index\.html:\d+: link: <a href=\"gone/\">", result.stderr)
    heads = [line.split()[1] for line in result.stdout.splitlines() if not line.startswith((" ", "checked"))]
    assert heads[:3] == ["home_not_updated", "too_many_stale_columns", "too_many_empty_columns"]
    assert "整改：" in result.stdout and "4 不合格" in result.stdout


def test_the_report_is_unlinked_accessible_and_valid(broken: Path, browser: Browser) -> None:
    assert run_cli("check", "--as-of", "2024-07-01", cwd=broken).returncode == 1
    public = broken / "public"
    report = public / "_inspection/index.html"
    html = report.read_text(encoding="utf-8")
    assert "身份证号，应公开为 4401**********1236" in html and ID not in html
    assert 'href="../notices/' in html
    assert not [p for p in public.rglob("*.html") if "_inspection" in p.read_text(encoding="utf-8")
                and p != report]
    port = free_port()
    with http_server(public, port):
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/_inspection/")
        assert page.title().startswith("网站检查报告")
        assert axe_violations(page) == []
        page.close()
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(report)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert json.loads(result.stderr or "{}").get("messages", []) == []


def test_content_a_build_refuses_is_a_located_finding(tmp_path: Path) -> None:
    clean_site(tmp_path)
    notice(tmp_path, 4, attachments=[{"number": 1, "title": "名单", "inline": False, "file": "名单.pdf"}])
    code, report = check_json(tmp_path)
    assert code == 1
    [invalid] = [f for f in report["findings"] if f["rule"] == "content_invalid"]
    assert invalid["severity"] == "不合格" and invalid["line"]
    assert "no such file beside the notice" in invalid["message"]


def test_fix_personal_data_masks_the_content_with_a_dry_run_first(tmp_path: Path) -> None:
    clean_site(tmp_path)
    body = f"申请人 张三，身份证号{ID}，手机{MOBILE}，卡号{CARD}。文号闽政〔2023〕12号。\n"
    file = tmp_path / notice(tmp_path, 4, body)
    before = file.read_text(encoding="utf-8")
    dry = run_cli("check", "--fix-personal-data", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0 and "would mask 3 personal numbers in 1 content files" in dry.stdout
    assert f"{file.relative_to(tmp_path).as_posix()}:15: 身份证号 → 4401**********1236" in dry.stdout
    assert file.read_text(encoding="utf-8") == before
    assert run_cli("check", "--fix-personal-data", cwd=tmp_path).returncode == 0
    after = file.read_text(encoding="utf-8")
    assert after == before.replace(ID, "4401**********1236").replace(MOBILE, "139****5678").replace(
        CARD, "6222***********0128")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    code, report = check_json(tmp_path, "--strict")
    assert (code, report["findings"]) == (0, [])


def test_strict_fails_on_deductions_and_as_of_today_is_the_clock(tmp_path: Path) -> None:
    clean_site(tmp_path)
    notice(tmp_path, 4, f"手机{MOBILE}。\n")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert check_json(tmp_path)[0] == 0
    assert check_json(tmp_path, "--strict")[0] == 1
    code, report = check_json(tmp_path, "--as-of", "today")
    assert code == 1 and by_rule(report)["home_not_updated"] == 1 and report["as_of"] >= "2025-01-01"
    bad = run_cli("check", "--as-of", "2024-13-01", cwd=tmp_path)
    assert bad.returncode == 1 and bad.stderr.strip() == \
        "error: --as-of: 2024-13-01: expected today or a date such as 2024-06-30"


def test_deploy_refuses_a_failing_site_unless_forced_and_never_ships_the_report(tmp_path: Path) -> None:
    clean_site(tmp_path, "inspection:\n  stale_columns: 0\n"
                         f"deploy:\n  web:\n    type: dir\n    path: {tmp_path / 'www'}\n")
    notice(tmp_path, 4, publisher="示例县教育局", published="2023-01-05")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert run_cli("check", cwd=tmp_path).returncode == 1
    refused = run_cli("deploy", cwd=tmp_path)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "too_many_stale_columns" in refused.stderr and "not deployed" in refused.stderr
    assert not (tmp_path / "www/current").exists()
    forced = run_cli("deploy", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    live = tmp_path / "www/current"
    assert (live / "index.html").is_file() and not (live / "_inspection").exists()
    assert (tmp_path / "public/_inspection/index.html").is_file()


def test_the_report_never_follows_a_link_out_of_the_site(tmp_path: Path) -> None:
    clean_site(tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "public/_inspection").symlink_to(elsewhere)
    assert run_cli("check", cwd=tmp_path).returncode == 0
    assert list(elsewhere.iterdir()) == [] and (tmp_path / "public/_inspection/index.html").is_file()


@pytest.mark.parametrize(("text", "key", "message"), [
    ("inspection:\n  home_days: -1\n", "inspection.home_days", "expected zero or a positive whole number"),
    ("inspection:\n  index_no_pattern: '[a-'\n", "inspection.index_no_pattern", "not a regular expression"),
    ("inspection:\n  stale: 3\n", "inspection.stale", "unknown key"),
])
def test_inspection_settings_are_checked(tmp_path: Path, text: str, key: str, message: str) -> None:
    site_yaml(tmp_path, text)
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.match(rf"error: site\.yaml:\d+: {re.escape(key)}: {message}", result.stderr), result.stderr


# ---- the detectors --------------------------------------------------------------------------

TODAY = date(2025, 1, 1)


@pytest.mark.parametrize("text", [
    "泉鲤政教〔2024〕15号", "国令第706号", "索引号：11440100007482891X/2024-00123", "000014349/2024-00185",
    "SY0024784891202400022", "电话：0595-22561234", "传真（0591）87654321", "2024年6月1日", "20240601",
    "投资13800000000元", "1718000000000", "https://www.gov.cn/zhengce/13912345678.htm", "编号：440102199003071235",
    "440102209903071234", "6222021234567890123", "art_1229_13912345678.html", "统一社会信用代码12100000400010385X",
    "第13912345678999号", "6222021234567890128456",
])
def test_no_false_alarm(text: str) -> None:
    assert find_personal(text, TODAY) == []


@pytest.mark.parametrize(("text", "shown"), [
    (f"身份证：{ID}", "身份证：4401**********1236"), (f"（{ID[:-1]}X）", None),
    (f"电话{MOBILE}、", "电话139****5678、"), ("手机：139-1234-5678", "手机：139****5678"),
    ("+86 13912345678", "+86 139****5678"), (f"卡号{CARD}", "卡号6222***********0128"),
    ("卡号 6222 0212 3456 7890 128", "卡号 6222***********0128"),
])
def test_personal_numbers_are_found_and_masked(text: str, shown: str | None) -> None:
    masked, found = mask_personal(text, TODAY)
    assert (masked if found else None) == shown


def test_the_check_digit_and_luhn() -> None:
    assert id_number(ID, TODAY) and not id_number(ID[:-1] + "7", TODAY)
    assert id_number("11010519491231002X", TODAY)  # the standard's own example
    assert luhn(CARD) and not luhn(CARD[:-1] + "9")


def test_random_digit_runs_rarely_look_like_ids() -> None:
    import random

    rng = random.Random(11643)
    runs = ["".join(rng.choice("0123456789") for _ in range(18)) for _ in range(20000)]
    assert sum(id_number(run, TODAY) for run in runs) <= 2


@pytest.mark.parametrize(("url", "bad"), [
    ("https://www.gov.cn/zhengce/", False), ("http://10.1.2.3:8080/a", False), ("https://政府.中国/", False),
    ("mailto:xxgk@example.gov.cn", False), ("http:/www.gov.cn", True), ("https://www gov cn/", True),
    ("http://[::1/x", True), ("javascript:alert(1)", True), ("https://gov/", True), ("mailto:nobody", True),
])
def test_external_links(url: str, bad: bool) -> None:
    assert (link_problem(url) is not None) == bad


def test_real_notices_give_no_false_alarm() -> None:
    """Every raw notice of the corpus: the only numbers found are mobiles printed as contact
    numbers (true finds); no ID or card number among their 发文字号, 索引号, dates and codes."""
    files = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix in (".txt", ".html", ".htm")]
    if not files:
        pytest.skip("the corpus beside the repository is not here")
    found: Counter = Counter()
    for path in files:
        data = path.read_bytes()
        text = data.decode("utf-8", errors="ignore") if data.isascii() or _utf8(data) else data.decode("gb18030",
                                                                                                       "ignore")
        for item in find_personal(text, TODAY):
            found[item.kind] += 1
            assert item.kind == "personal_mobile" and "电话" in text[max(0, item.start - 30):item.start], \
                (path, text[item.start - 30:item.end + 10])
    print(f"corpus: {len(files)} files, found {dict(found)}")
    assert found["personal_mobile"] >= 1


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_report_folder_is_not_checked_as_a_page(tmp_path: Path) -> None:
    clean_site(tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert run_cli("check", cwd=tmp_path).returncode == 0
    shutil.rmtree(tmp_path / "content/notices")
    clean_site(tmp_path)
    (tmp_path / "content/notices" / f"{AGENCY.lower()}-2024-00003.md").unlink()
    assert run_cli("build", cwd=tmp_path).returncode == 0  # the report still links notice 3's page, now gone
    assert run_cli("check", cwd=tmp_path).returncode == 0


def test_an_interpretation_linked_by_a_relation_counts(tmp_path: Path) -> None:
    site_yaml(tmp_path)
    notice(tmp_path, 1, title="示例市教育局关于印发《示例市校外培训管理办法》的通知", doc_type="行政规范性文件")
    notice(tmp_path, 2, title="示例市教育局关于加强学生体质健康管理的通知", doc_type="行政规范性文件")
    notice(tmp_path, 3, title="一图读懂：政策解读", doc_no=None, doc_type="政策解读",
           relations=[{"type": "解读", "target": "示教〔2024〕1号"}])
    _, report = check_json(tmp_path)
    [missing] = [f for f in report["findings"] if f["rule"] == "policy_without_interpretation"]
    assert missing["file"].endswith("-2024-00002.md")
    assert missing["message"].endswith("本站 2 件规范性文件中 1 件有解读（50%）")
