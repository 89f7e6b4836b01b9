"""A notice's life on a small site written here: an 办法 with a validity period and its
repeal, an amendment in part, a 政策解读 of a policy, a 转发 of a notice the site does not
hold, and a notice not yet in force; judged on several --as-of days, shown from both ends."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import feedparser
import pytest
import yaml
from playwright.sync_api import Browser

from builder.lifecycle import STATUSES
from tests.helpers import (
    REPO,
    VNU,
    axe_violations,
    build_counts,
    edit,
    free_port,
    http_server,
    run_cli,
    site_tree,
    write_site_yaml,
)

NOTICES = {
    "a-lvhua": {"title": "示例市城市绿化管理办法", "doc_no": "示政规〔2020〕1号", "publisher": "示例市人民政府",
                "written": "2020-02-01", "published": "2020-02-05", "effective": "2020-03-01",
                "expires": "2025-02-28"},
    "b-feizhi": {"title": "示例市人民政府关于废止《示例市城市绿化管理办法》的决定", "doc_no": "示政发〔2023〕5号",
                 "publisher": "示例市人民政府", "written": "2023-04-20", "published": "2023-04-21",
                 "effective": "2023-05-01", "relations": [{"type": "废止", "target": "示政规[2020]1号"}]},
    "c-wuye": {"title": "示例市物业管理办法", "doc_no": "示政规〔2019〕7号", "publisher": "示例市人民政府",
               "written": "2019-06-01", "published": "2019-06-03"},
    "d-xiugai": {"title": "示例市人民政府关于修改《示例市物业管理办法》的决定", "doc_no": "示政发〔2022〕2号",
                 "publisher": "示例市人民政府", "written": "2021-12-20", "published": "2021-12-21",
                 "relations": [{"type": "修订", "target": "示政规（2019）7号", "scope": "第五条",
                                "date": "2022-01-01"}]},
    "e-jiedu": {"title": "《示例市物业管理办法》政策解读", "publisher": "示例市住房和城乡建设局",
                "published": "2019-06-05", "relations": [{"type": "解读", "target": "c-wuye"}]},
    "f-zhuanfa": {"title": "示例市人民政府办公室关于转发国务院办公厅通知的通知", "publisher": "示例市人民政府办公室",
                  "written": "2023-08-01", "published": "2023-08-02",
                  "relations": [{"type": "转发", "target": "国办发〔2023〕99号"}]},
    "g-weilai": {"title": "示例市停车管理办法", "doc_no": "示政规〔2023〕9号", "publisher": "示例市人民政府",
                 "written": "2023-09-01", "published": "2023-09-02", "effective": "2030-01-01"},
}
BODY = "各区人民政府，市政府各部门：\n\n现将有关事项通知如下。\n"


def write_site(root: Path, *, search: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    edit(write_site_yaml(root, search=search), "feeds:\n", "feeds:\n  full_content: false\n")
    folder = root / "content" / "notices"
    folder.mkdir(parents=True)
    for slug, meta in NOTICES.items():
        front = yaml.safe_dump({**meta, "tags": ["城乡建设"]}, allow_unicode=True, sort_keys=False)
        (folder / f"{slug}.md").write_text(f"---\n{front}---\n\n{BODY}", encoding="utf-8")
    return root


@pytest.fixture
def life_site(tmp_path: Path) -> Path:
    return write_site(tmp_path)


def status_of(site: Path, as_of: str) -> dict[str, str]:
    result = run_cli("status", "--as-of", as_of, cwd=site)
    assert result.returncode == 0, result.stderr
    found = {}
    for line in result.stdout.splitlines():
        parts = line.split("  ")
        if len(parts) >= 3 and parts[0] in STATUSES:
            found[parts[1]] = parts[0]
    return found


@pytest.mark.parametrize(("as_of", "expected"), [
    # the 办法 takes effect in 2020, its repeal on 2023-05-01
    ("2019-07-01", {"a-lvhua": "尚未生效", "b-feizhi": "尚未生效", "g-weilai": "尚未生效"}),
    ("2021-06-01", {"b-feizhi": "尚未生效", "g-weilai": "尚未生效"}),
    ("2022-06-01", {"b-feizhi": "尚未生效", "c-wuye": "已修订", "g-weilai": "尚未生效"}),  # amended from 2022
    ("2023-05-02", {"a-lvhua": "已废止", "c-wuye": "已修订", "g-weilai": "尚未生效"}),
    ("2030-01-01", {"a-lvhua": "已废止", "c-wuye": "已修订"}),  # in force from its first day
])
def test_statuses_on_several_days(life_site: Path, as_of: str, expected: dict[str, str]) -> None:
    assert status_of(life_site, as_of) == expected


def test_expiry_without_a_repeal(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    (site / "content" / "notices" / "b-feizhi.md").unlink()
    assert "a-lvhua" not in status_of(site, "2025-02-28")  # its last day in force
    assert status_of(site, "2025-03-01")["a-lvhua"] == "已失效"


def test_stated_validity_wins(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    file = site / "content" / "notices" / "g-weilai.md"
    file.write_text(file.read_text(encoding="utf-8").replace("effective:", "validity: 已废止\neffective:"),
                    encoding="utf-8")
    assert status_of(site, "2024-01-01")["g-weilai"] == "已废止"


def test_next_change_for_a_scheduled_rebuild(life_site: Path) -> None:
    result = run_cli("status", "--next", "--as-of", "2023-05-02", cwd=life_site)
    # The repealed 办法's expiry on 2025-03-01 changes no status: the next change is in 2030.
    assert result.stdout.strip() == "2030-01-01"
    assert run_cli("status", "--next", "--as-of", "2022-06-01", cwd=life_site).stdout.strip() == "2023-05-01"
    assert run_cli("status", "--next", "--as-of", "2030-01-01", cwd=life_site).stdout.strip() \
        == "no status changes after 2030-01-01"


def page(site: Path, slug: str) -> str:
    return (site / "public" / "notices" / slug / "index.html").read_text(encoding="utf-8")


def test_banners_and_links_from_both_ends(life_site: Path) -> None:
    result = run_cli("build", "--as-of", "2024-01-01", cwd=life_site)
    assert result.returncode == 0, result.stderr
    repealed = page(life_site, "a-lvhua")
    assert re.search(r'class="status-banner[^"]*"[^>]*><strong>已废止</strong>：本文件已于2023年5月1日被'
                     r'<a href="\.\./b-feizhi/">《示例市人民政府关于废止〈示例市城市绿化管理办法〉的决定》</a>'
                     r'（示政发〔2023〕5号）废止。', repealed)
    assert "<dt>有效性</dt>\n<dd>已废止 <span class=\"inferred\">（据文件关系）</span>" in repealed
    assert '"legislationLegalForce": "https://schema.org/NotInForce"' in repealed
    repealing = page(life_site, "b-feizhi")
    assert '<li>本文件废止：<a href="../a-lvhua/">《示例市城市绿化管理办法》</a>（示政规〔2020〕1号）' in repealing
    policy = page(life_site, "c-wuye")
    assert "本文件第五条已于2022年1月1日被" in policy and "已修订" in policy
    assert '<li>相关解读：<a href="../e-jiedu/">《〈示例市物业管理办法〉政策解读》</a>' in policy
    assert '<li>解读的文件：<a href="../c-wuye/">《示例市物业管理办法》</a>' in page(life_site, "e-jiedu")
    assert "尚未生效</strong>：本文件自2030年1月1日起施行。" in page(life_site, "g-weilai")


def test_an_unresolved_target_is_a_warning_and_plain_text(life_site: Path) -> None:
    result = run_cli("build", cwd=life_site)
    assert "warning: content/notices/f-zhuanfa.md: relations: 转发 国办发〔2023〕99号 names no notice of the site; " \
           "shown as text" in result.stdout
    forwarded = page(life_site, "f-zhuanfa")
    assert "<li>转发的文件：国办发〔2023〕99号</li>" in forwarded


def test_feeds_carry_the_status_change(life_site: Path) -> None:
    assert run_cli("build", "--as-of", "2024-01-01", cwd=life_site).returncode == 0
    feed = feedparser.parse((life_site / "public" / "feed.xml").read_bytes())
    assert not feed.bozo
    changes = [e for e in feed.entries if e.title.startswith("已废止：")]
    assert [e.title for e in changes] == ["已废止：示例市城市绿化管理办法"]
    assert changes[0].id.endswith("/notices/a-lvhua/#已废止-2023-05-01")
    assert "被《示例市人民政府关于废止〈示例市城市绿化管理办法〉的决定》（示政发〔2023〕5号）废止" in changes[0].summary
    atom = feedparser.parse((life_site / "public" / "atom.xml").read_bytes())
    assert any(e.id == changes[0].id for e in atom.entries)
    before = feedparser.parse(_rebuilt(life_site, "2023-04-30") / "feed.xml")
    assert not [e for e in before.entries if e.title.startswith("已废止：")]  # no news before it happens


def _rebuilt(site: Path, as_of: str) -> Path:
    assert run_cli("build", "--as-of", as_of, cwd=site).returncode == 0
    return site / "public"


def test_the_same_content_and_day_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = write_site(tmp_path / "one"), write_site(tmp_path / "two")
    for site in (first, second):
        assert run_cli("build", "--as-of", "2024-01-01", cwd=site).returncode == 0
    assert site_tree(first / "public") == site_tree(second / "public")
    assert build_counts(run_cli("build", "--as-of", "2024-01-01", cwd=first).stdout)[0] == 0


def test_as_of_must_be_a_day(life_site: Path) -> None:
    result = run_cli("build", "--as-of", "2024-13-01", cwd=life_site)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: --as-of: '2024-13-01': expected a date such as 2024-05-01, or today"


def test_a_bad_relation_is_a_located_error(life_site: Path) -> None:
    file = life_site / "content" / "notices" / "b-feizhi.md"
    file.write_text(file.read_text(encoding="utf-8").replace("type: 废止", "type: 取消"), encoding="utf-8")
    result = run_cli("build", cwd=life_site)
    line = file.read_text(encoding="utf-8").splitlines().index("- type: 取消") + 1
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"error: content/notices/b-feizhi.md:{line}: relations[0].type: "
                                            "expected one of 废止、修订、替代、依据、解读、转发、更正")


def test_annual_report_counts(life_site: Path) -> None:
    result = run_cli("report", "--year", "2023", cwd=life_site)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader((life_site / "reports" / "annual-report-2023.csv").open(encoding="utf-8")))
    table = {row[0]: row[1:] for row in rows[1:]}
    # 示例市人民政府 in 2023: the repeal (a 规范性 文号) and the 停车管理办法 (a 规章) published;
    # the 绿化 办法 repealed; in force at the year's end: the 物业 办法, its amendment, the repeal.
    assert table["示例市人民政府"] == ["2", "1", "1", "1", "3", "0", "0", "0%"]
    assert table["示例市人民政府办公室"][:1] == ["1"]
    data = json.loads((life_site / "reports" / "annual-report-2023.json").read_text(encoding="utf-8"))
    assert data["columns"][0] == "发布机构" and len(data["rows"]) == len(rows) - 1


def test_the_new_blocks_pass_axe_and_the_html_checker(life_site: Path, browser: Browser) -> None:
    assert run_cli("build", "--as-of", "2024-01-01", cwd=life_site).returncode == 0
    port = free_port()
    with http_server(life_site / "public", port):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        report = {}
        for slug in ("a-lvhua", "b-feizhi", "c-wuye", "e-jiedu", "f-zhuanfa", "g-weilai"):
            page.goto(f"http://127.0.0.1:{port}/notices/{slug}/")
            report[slug] = axe_violations(page)
        context.close()
    assert report == {slug: [] for slug in report}
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                             str(life_site / "public" / "notices")], capture_output=True, text=True, timeout=300,
                            check=False)
    assert json.loads(result.stderr or "{}").get("messages", []) == [] and result.returncode == 0


def test_lists_show_a_status_other_than_in_force(life_site: Path) -> None:
    assert run_cli("build", "--as-of", "2024-01-01", cwd=life_site).returncode == 0
    listing = (life_site / "public" / "notices" / "index.html").read_text(encoding="utf-8")
    tags = dict(re.findall(r'href="(?:[^"]*/)?([a-z-]+)/">[^<]*</a>\n<span class="status-tag[^"]*">([^<]+)<',
                           listing))
    assert tags == {"a-lvhua": "已废止", "c-wuye": "已修订", "g-weilai": "尚未生效"}


RAW = {
    "banfa.txt": "示例市城市绿化管理办法\n示政规〔2020〕1号\n各区人民政府，市政府各部门：\n"
                 "第一条 为加强城市绿化管理，制定本办法。\n第二条 本办法自2020年3月1日起施行，有效期5年。\n"
                 "示例市人民政府\n2020年2月1日\n",
    "feizhi.txt": "示例市人民政府关于废止《示例市城市绿化管理办法》的决定\n示政发〔2023〕5号\n"
                  "各区人民政府，市政府各部门：\n"
                  "经市政府研究，决定废止《示例市城市绿化管理办法》（示政规〔2020〕1号）。本决定自印发之日起施行。\n"
                  "示例市人民政府\n2023年4月20日\n",
    "jiedu.txt": "《示例市城市绿化管理办法》政策解读\n一、制定背景\n"
                 "为加强城市绿化管理，根据《示例省城市绿化条例》（示省发〔2019〕3号）的规定，制定了本办法。\n"
                 "解读机关：示例市园林局\n",
}


def test_normalize_reads_relations_and_validity_dates_from_the_words(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    for name, text in RAW.items():
        (tmp_path / "raw" / name).write_text(text, encoding="utf-8")
    result = run_cli("normalize", "raw", "--report", "report.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    files = {}
    for path in (tmp_path / "content" / "notices").glob("*.md"):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        files[Path(meta["source"]).name] = (path.stem, meta)
    banfa, feizhi, jiedu = (files[name][1] for name in ("banfa.txt", "feizhi.txt", "jiedu.txt"))
    assert (banfa["effective"], banfa["expires"]) == ("2020-03-01", "2025-02-28")  # five years, to the day before
    assert {"effective", "expires"} <= set(banfa["inferred"])
    # the title names the 办法; the text names it with its 发文字号 too, which wins
    assert feizhi["relations"] == [{"type": "废止", "target": "示政规〔2020〕1号"}]
    assert feizhi["effective"] == "2023-04-20" and "relations" in feizhi["inferred"]
    assert jiedu["relations"] == [{"type": "解读", "target": "示例市城市绿化管理办法"},
                                  {"type": "依据", "target": "示省发〔2019〕3号"}]
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    explained = next(entry for entry in report if entry["source"].endswith("feizhi.txt"))["explain"]["fields"]
    assert explained["relations"]["rule"] == "废止《X》（文号）"
    write_site_yaml(tmp_path)
    assert status_of(tmp_path, "2023-05-01") == {files["banfa.txt"][0]: "已废止"}
    build = run_cli("build", cwd=tmp_path)
    assert build.returncode == 0 and "names no notice" not in build.stdout  # guesses may name what the site lacks


def test_history_lists_versions_and_marks_what_changed(life_site: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=编辑", "-c", "user.email=editor@example.gov.cn", *args], cwd=life_site,
                       check=True, capture_output=True)

    file = "content/notices/c-wuye.md"
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "首次发布")
    path = life_site / file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("现将有关事项通知如下。", "现将物业管理有关事项通知如下。"), encoding="utf-8")
    git("commit", "-q", "-am", "补充说明")
    listed = run_cli("history", file, cwd=life_site)
    assert listed.returncode == 0, listed.stderr
    assert [line.split("  ")[2] for line in listed.stdout.splitlines()] == ["补充说明", "首次发布"]
    diff = run_cli("history", file, "--diff", cwd=life_site)
    changed, summary = diff.stdout.splitlines()
    assert changed == "现将{+物业管理+}有关事项通知如下。" and summary.startswith("1 changed lines from ")
    outside = run_cli("history", "content/notices/a-lvhua.md", cwd=life_site.parent)
    assert outside.returncode == 1 and outside.stderr.startswith("error: content/notices/a-lvhua.md: no history:")


def test_search_filters_by_status(tmp_path: Path) -> None:
    site = write_site(tmp_path, search=True)
    assert run_cli("build", "--as-of", "2024-01-01", cwd=site).returncode == 0
    queries = [{"query": "办法", "filters": {"status": standing}} for standing in ("现行有效", "已失效", "尚未生效")]
    answer = subprocess.run(["node", str(REPO / "tests/search_node.mjs")], capture_output=True, text=True, check=True,
                            input=json.dumps({"site": str(site / "public"), "queries": queries}), timeout=120)
    found = [sorted(url.split("/")[-2] for url in urls) for urls in json.loads(answer.stdout)]
    in_force = [slug for slug in ("b-feizhi", "c-wuye", "d-xiugai", "e-jiedu") if "办法" in NOTICES[slug]["title"]]
    assert found == [in_force, ["a-lvhua"], ["g-weilai"]]
    page = (site / "public" / "search" / "index.html").read_text(encoding="utf-8")
    assert '<select id="search-validity" name="status">' in page
