"""gongkai speaks Chinese by default and English on request, with the same file, line and field."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from builder.i18n import CHINESE, ENGLISH, use
from builder.untrusted import yaml_problem
from tests.helpers import CHINESE_ENV, REPO, free_port, run_cli, run_in, without_dac_override

NOTICE = "content/notices/broken.md"


def broken_site(site: Path, front: str) -> Path:
    (site / "content/notices").mkdir(parents=True)
    (site / NOTICE).write_text(f"---\n{front}---\n正文。\n", encoding="utf-8")
    return site


def test_a_failing_build_in_chinese_and_in_english(site: Path) -> None:
    broken_site(site, "title: 关于开展检查的通知\npublisher: 示例局\npublished: 2024-13-45\n")
    chinese = run_in(CHINESE_ENV, "build", cwd=site)
    english = run_cli("build", cwd=site)
    also_english = run_in(CHINESE_ENV, "--lang", "en", "build", cwd=site)
    assert chinese.returncode == english.returncode == 1
    assert chinese.stderr == (f"错误：{NOTICE}:4: 发布日期（published）："
                              "应为 2024-02-21 这样的日期，实际是 '2024-13-45'\n")
    assert english.stderr == also_english.stderr == (f"error: {NOTICE}:4: published: "
                                                     "expected a date such as 2024-02-21, got '2024-13-45'\n")


def test_a_missing_title_in_chinese(site: Path) -> None:
    broken_site(site, "title:\npublisher: 示例局\n")
    assert run_in(CHINESE_ENV, "build", cwd=site).stderr == f"错误：{NOTICE}:2: 标题（title）：一份文件需要标题\n"


def test_site_language_english_speaks_english(site: Path) -> None:
    text = (site / "site.yaml").read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    (site / "site.yaml").write_text(text, encoding="utf-8")
    assert "usage:" in run_in(CHINESE_ENV, "--help", cwd=site).stdout


def test_help_in_both_languages(tmp_path: Path) -> None:
    chinese = run_in(CHINESE_ENV, "build", "--help", cwd=tmp_path).stdout
    english = run_cli("build", "--help", cwd=tmp_path).stdout
    assert chinese.startswith("用法：gongkai build") and "选项" in chinese and "显示本帮助并退出" in chinese
    assert "包括标记为 draft: true 的文件" in chinese and "usage:" not in chinese
    assert english.startswith("usage: gongkai build") and "include notices marked draft: true" in english


@pytest.mark.parametrize(("front", "line"), [
    ('title: 关于开展检查的通知\npublisher: 示例局\npublished: "2024-01-01\n', 4),  # a quote left open
    ("title: 关于开展检查的通知\npublisher: 示例局\nextra: {a: b\n", 4),  # a bracket left open
    ("title: 关于开展检查的通知\npublisher: 示例局\npublished: 2024-13-45\n", 4),
])
def test_a_mistake_is_reported_at_its_line(site: Path, front: str, line: int) -> None:
    broken_site(site, front)
    assert run_cli("build", cwd=site).stderr.startswith(f"error: {NOTICE}:{line}: ")


@pytest.mark.parametrize("front", ["title：关于开展检查的通知\npublisher: 示例局\npublished: 2024-01-05\n",
                                   "title：关于开展检查的通知\n"])
def test_a_full_width_colon_is_reported_at_its_line(site: Path, front: str) -> None:
    broken_site(site, front)
    assert run_cli("build", cwd=site).stderr == (f"error: {NOTICE}:2: title: after the key, write an ASCII colon "
                                                 "':' and a space, not a full-width '：'\n")
    assert run_in(CHINESE_ENV, "build", cwd=site).stderr == (
        f"错误：{NOTICE}:2: 标题（title）：字段名后面要用英文半角冒号“:”再加一个空格，不能用全角冒号“：”\n")


@pytest.mark.parametrize(("front", "line", "chinese", "english"), [
    ("title: 关于开展检查的通知\npublisher: 示例局\n\tpublished: 2024-01-01\n", 4,
     "缩进中有制表符（Tab）；请改用空格", "found a tab character that violates indentation"),
    ("\ttitle: 关于开展检查的通知\n", 2,
     "有一个字符不能出现在这里（制表符 Tab 请改用空格；以 @ 或 ` 开头的值请加引号）",
     "found character that cannot start any token"),
    ('title: 关于开展检查的通知\npublisher: "示例局\n', 3, "内容意外结束（引号没有闭合？）",
     "found unexpected end of stream"),
    ("title: 关于: 开展检查的通知\npublisher: 示例局\n", 2, "这里不能出现“字段: 值”（冒号用错了，或缩进不对？）",
     "mapping values are not allowed in this context"),
    ("title: 关于开展检查的通知\n- 示例局\n", 3, "找不到应有的字段名（缩进不对？）", "did not find expected key"),
], ids=["tab-in-indent", "tab-first", "open-quote", "colon-in-value", "list-in-mapping"])
def test_yamls_words_in_chinese_and_as_yaml_says_them_in_english(site: Path, front: str, line: int, chinese: str,
                                                                english: str) -> None:
    broken_site(site, front)
    said, english_said = run_in(CHINESE_ENV, "build", cwd=site), run_cli("build", cwd=site)
    assert said.returncode == english_said.returncode == 1
    assert said.stderr == f"错误：{NOTICE}:{line}: YAML 格式错误：{chinese}\n"
    assert english_said.stderr == f"error: {NOTICE}:{line}: invalid YAML: {english}\n"


def test_pyyamls_words_with_their_blanks_in_chinese() -> None:
    """Without libyaml, PyYAML names the character or alias in its words: kept in the translation."""
    use(CHINESE)
    try:
        assert yaml_problem("found character '\\t' that cannot start any token") == (
            "有一个字符 '\\t' 不能出现在这里（制表符 Tab 请改用空格；以 @ 或 ` 开头的值请加引号）")
        assert yaml_problem("found undefined alias 'x'") == "引用了未定义的别名 'x'"
        assert yaml_problem("something YAML has not said before") == "something YAML has not said before"
    finally:
        use(ENGLISH)
    assert yaml_problem("found undefined alias 'x'") == "found undefined alias 'x'"


def test_the_systems_words_in_chinese_and_as_the_system_says_them_in_english(site: Path) -> None:
    seed = f"seeds/{sorted(p.name for p in (site / 'seeds').iterdir())[0]}"
    for path, chinese, english in (("gone.txt", "没有这个文件或文件夹", "No such file or directory"),
                                   (f"{seed}/x", "路径中有一段不是文件夹", "Not a directory"),
                                   ("seeds", "这是一个文件夹，不是文件", "Is a directory")):
        said = run_in(CHINESE_ENV, "normalize", "--explain", path, cwd=site)
        english_said = run_cli("normalize", "--explain", path, cwd=site)
        assert said.returncode == english_said.returncode == 1
        assert said.stderr == f"错误：{path}: 无法读取：{chinese}\n"
        assert english_said.stderr == f"error: {path}: cannot read: {english}\n"
    (site / "content/notices").mkdir(parents=True)
    locked = site / "content/notices/locked.md"
    locked.write_text("---\ntitle: 关于开展检查的通知\npublisher: 示例局\n---\n正文。\n", encoding="utf-8")
    locked.chmod(0)
    said = subprocess.run([sys.executable, "-m", "builder", "build"], cwd=site, capture_output=True, text=True,
                          timeout=120, check=False, env=CHINESE_ENV, preexec_fn=without_dac_override)
    assert (said.returncode, said.stderr) == (1, "错误：content/notices/locked.md: 无法读取：没有权限\n")
    (site / "site.yaml").unlink()
    (site / "site.yaml").mkdir()
    said, english_said = run_in(CHINESE_ENV, "build", cwd=site), run_cli("build", cwd=site)
    assert (said.returncode, said.stderr) == (1, "错误：site.yaml: 无法读取：这是一个文件夹，不是文件\n")
    assert (english_said.returncode, english_said.stderr) == (1, "error: site.yaml: cannot read: Is a directory\n")


def test_every_message_has_a_chinese_translation(tmp_path: Path) -> None:
    pot = tmp_path / "gongkai.pot"
    subprocess.run([Path(sys.executable).parent / "pybabel", "extract", "-F", "babel.cfg", "-k", "N_", "-k",
                    "NC_:1c,2", "-k", "ngettext:1,2", "-k", "pgettext:1c,2", "-k", "for_content", "--no-location",
                    "-o", str(pot), "builder"], cwd=REPO, check=True, capture_output=True)
    with pot.open("rb") as extracted, (REPO / "builder/locale/zh_CN/LC_MESSAGES/gongkai.po").open("rb") as po:
        wanted, catalog = read_po(extracted), read_po(po)
    untranslated = [m.id for m in wanted if m.id and not (catalog.get(m.id, m.context) and all(
        catalog.get(m.id, m.context).string if isinstance(catalog.get(m.id, m.context).string, tuple)
        else [catalog.get(m.id, m.context).string]))]
    assert untranslated == []
    assert len(wanted) > 200


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def test_the_preview_speaks_chinese_and_shows_the_marked_line(normalized_seeds: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    subprocess.run(["cp", "-r", str(normalized_seeds), str(root)], check=True)
    port = free_port()
    log = tmp_path / "log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--port", str(port)], cwd=root,
                                   stdout=out, stderr=subprocess.STDOUT, env=CHINESE_ENV)
    try:
        deadline = time.monotonic() + 60
        while "预览地址" not in log.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.1)
        said = log.read_text(encoding="utf-8")
        assert said.startswith("预览首次构建完成：") and "site.yaml" not in said.splitlines()[0], said
        assert " is taken for " not in said  # the site's warnings too
        notice = sorted((root / "content/notices").glob("*.md"))[0]
        lines = notice.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[1] = lines[1].replace("title: ", "title：", 1)
        notice.write_text("".join(lines), encoding="utf-8")
        status, page = 0, ""
        while status != 500 and time.monotonic() < deadline:
            status, page = _get(f"http://127.0.0.1:{port}/")
            time.sleep(0.1)
        assert status == 500 and "<title>网站构建出错</title>" in page
        assert f"<dt>文件</dt><dd>content/notices/{notice.name}</dd><dt>行</dt><dd>2</dd>" in page
        assert "<dt>字段</dt><dd>标题（title）</dd>" in page and "不能用全角冒号" in page
        assert "<mark>   2 │ title：" in page and "长者模式" in page
        assert "/static/style.css" in page and '<a href="/?last">首页</a>' in page
        last = _get(f"http://127.0.0.1:{port}/?last")
        assert last[0] == 200 and "网站构建出错" not in last[1]
    finally:
        process.terminate()
        process.wait(10)


def test_deploy_check_and_output_folder_messages_in_chinese(site: Path) -> None:
    (site / "content").mkdir()
    deploy = run_in(CHINESE_ENV, "deploy", cwd=site)
    assert deploy.returncode == 1
    assert deploy.stderr == "错误：site.yaml: 发布目标（deploy）：没有发布目标：请在 deploy: 下添加一个\n"
    check = run_in(CHINESE_ENV, "check", cwd=site)
    assert check.returncode == 1
    assert "错误：public: 这里没有构建好的网站（没有 index.html）：请运行 gongkai build\n" in check.stderr
    assert "\n已检查 public/：0 个页面，0 个链接" in check.stdout
    refused = run_in(CHINESE_ENV, "build", "--out", "content", cwd=site)
    assert refused.returncode == 1
    assert refused.stderr == ("错误：--out content: 输出文件夹就是网站的 content/；构建会替换输出文件夹中的全部内容："
                              "请另选一个专用的文件夹，例如 public\n")
    assert run_cli("build", "--out", "content", cwd=site).stderr == (
        "error: --out content: the output folder is the site's content/; a build replaces everything in its output "
        "folder: choose one of its own, such as public\n")
