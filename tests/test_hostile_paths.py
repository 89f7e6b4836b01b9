"""Builds that would lose data or write outside the site: an output folder that is the
site's sources or the folder gongkai runs from, slugs and attachment names that leave the
output folder or collide, active attachment types, a base URL that splits a text file.

Each refused build must exit 1 with a one-line error and leave every file as it was: the
site lives in tmp/box/site/ beside a neighbour file, and the whole box is compared byte for
byte (a build that escaped would show there, never outside the test's folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import REPO, Preview, run_cli

CONFIG = "title: 测试站\nbase_url: https://example.gov.cn/xxgk/\nsearch: false\n"


@pytest.fixture(scope="module")
def normalized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds normalised once, with CONFIG, for `site` to copy (never built)."""
    root = tmp_path_factory.mktemp("hostile-paths-site")
    (root / "site.yaml").write_text(CONFIG, encoding="utf-8")
    shutil.copytree(REPO / "seeds", root / "seeds")
    assert run_cli("normalize", cwd=root).returncode == 0
    return root


@pytest.fixture
def site(tmp_path: Path, normalized: Path) -> Path:
    """A normalised site at tmp/box/site/ (a copy of `normalized`), with a neighbour file in tmp/box/."""
    root = tmp_path / "box" / "site"
    shutil.copytree(normalized, root)
    (tmp_path / "box" / "neighbour.txt").write_text("not the site's\n", encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder`: a file's bytes, a link's target, a folder as "dir"."""
    entries: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            entries[name] = "-> " + os.readlink(path)
        elif path.is_dir():
            entries[name] = "dir"
        else:
            entries[name] = path.read_bytes()
    return entries


def refused(site: Path, *args: str, expected: tuple[str, ...]) -> str:
    """Run gongkai in `site`: it must exit 1 with one error line holding every `expected`
    text, and change nothing in the box around the site."""
    box = site.parent
    before = snapshot(box)
    result = run_cli(*args, cwd=site)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert snapshot(box) == before
    return lines[0]


# --- the output folder ------------------------------------------------------------------

@pytest.mark.parametrize(("out", "reason"), [
    ("content", "is the site's content/"),
    ("content/notices", "lies inside the site's content/"),
    ("content/notices/public", "lies inside the site's content/"),
    (".", "is the folder gongkai runs from"),
    ("..", "holds the folder gongkai runs from"),
    ("../..", "holds the folder gongkai runs from"),
    ("seeds", "is the site's seeds/"),
    ("theme", "is the site's theme/"),
    ("site.yaml", "is the site's site.yaml"),
    (".gongkai-cache", "is the site's .gongkai-cache/"),
    (".gongkai-cache/content", "lies inside the site's .gongkai-cache/"),
])
def test_an_output_folder_over_the_sources_is_refused(site: Path, out: str, reason: str) -> None:
    assert run_cli("build", cwd=site).returncode == 0  # a cache and a site to lose
    refused(site, "build", "--out", out, expected=(f"--out {out}: ", reason))


def test_an_absolute_ancestor_is_refused(site: Path) -> None:
    ancestor = str(site.parent.parent)
    refused(site, "build", "--out", ancestor, expected=(ancestor, "holds the folder gongkai runs from"))


def test_a_link_to_the_sources_is_followed_and_refused(site: Path) -> None:
    (site / "to-content").symlink_to("content")
    (site / "to-notices").symlink_to(site / "content" / "notices")
    refused(site, "build", "--out", "to-content", expected=("is the site's content/",))
    refused(site, "build", "--out", "to-notices", expected=("lies inside the site's content/",))


def test_a_folder_gongkai_did_not_make_needs_force(site: Path) -> None:
    (site / "mine").mkdir()
    (site / "mine" / "keep.txt").write_text("mine\n", encoding="utf-8")
    refused(site, "build", "--out", "mine", expected=("--out mine: ", "--force"))
    forced = run_cli("build", "--out", "mine", "--force", cwd=site)
    assert forced.returncode == 0, forced.stderr
    assert (site / "mine" / "index.html").is_file() and not (site / "mine" / "keep.txt").exists()


def test_a_file_is_no_output_folder(site: Path) -> None:
    (site / "notes.txt").write_text("mine\n", encoding="utf-8")
    refused(site, "build", "--out", "notes.txt", expected=("--out notes.txt: ", "not a folder"))
    refused(site, "build", "--out", "notes.txt", "--force", expected=("not a folder",))


def test_the_folder_a_build_made_is_built_again(site: Path) -> None:
    (site / "empty").mkdir()
    assert run_cli("build", "--out", "empty", cwd=site).returncode == 0  # an empty folder is no one's
    assert run_cli("build", cwd=site).returncode == 0
    (site / "content/notices/extra.md").write_text("---\ntitle: 又一则\n---\n正文。\n", encoding="utf-8")
    assert run_cli("build", cwd=site).returncode == 0
    shutil.rmtree(site / ".gongkai-cache")  # the marker in the folder is enough
    assert run_cli("build", cwd=site).returncode == 0
    assert (site / "public/notices/extra/index.html").is_file()


def test_deploy_build_guards_its_output_folder(site: Path) -> None:
    target = site.parent / "www"
    (site / "site.yaml").write_text(CONFIG + f"deploy:\n  web:\n    type: dir\n    path: {target}\n",
                                    encoding="utf-8")
    refused(site, "deploy", "--build", "--out", "content", expected=("--out content: ", "is the site's content/"))
    refused(site, "deploy", "--build", "--out", "..", expected=("holds the folder gongkai runs from",))


# --- slugs and other names that make paths ---------------------------------------------

HOSTILE_SLUGS = {
    "parent": "../../../victim",
    "absolute": "/tmp/gongkai-victim",
    "through": "a/../../b",
    "newline": '"a\\nb"',
    "empty": '""',
    "dot": ".",
    "long": "a" * 300,
    "upper": "Education",
    "space": '"a b"',
}


@pytest.mark.parametrize("slug", HOSTILE_SLUGS.values(), ids=HOSTILE_SLUGS.keys())
def test_a_hostile_topic_slug_is_refused(site: Path, slug: str) -> None:
    assert run_cli("build", cwd=site).returncode == 0
    vocabulary = f"tags:\n  vocabulary:\n    - name: 教育\n      slug: {slug}\n      words: [教育]\n"
    (site / "site.yaml").write_text(CONFIG + vocabulary, encoding="utf-8")
    line = CONFIG.count("\n") + 4
    refused(site, "build", expected=(f"site.yaml:{line}: tags.vocabulary[0].slug: ",))


def test_a_nul_in_a_topic_slug_never_reaches_a_file_name(site: Path) -> None:
    """site.yaml's reader drops control characters from text (builder/untrusted.py)."""
    vocabulary = 'tags:\n  vocabulary:\n    - {name: 教育, slug: "edu\\0cation", words: [教育]}\n'
    (site / "site.yaml").write_text(CONFIG + vocabulary, encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "public/topics/education/index.html").is_file()
    assert not [path for path in (site / "public").rglob("*") if "\0" in path.name]


@pytest.mark.parametrize("name", ["../../../victim", "/tmp/gongkai-victim", "a/../../b", "..", "x" * 300,
                                  "<script>", "CON"])
def test_publishers_and_tags_of_any_name_stay_inside(site: Path, name: str) -> None:
    """Names from notices (publishers, tags outside the vocabulary) become pinyin slugs."""
    box = site.parent
    (site / "content/notices/odd.md").write_text(
        f"---\ntitle: 名称测试\npublisher: '{name}'\ntags: ['{name}']\npublished: '2024-01-02'\n---\n正文。\n",
        encoding="utf-8")
    site_output = ("site/public", "site/.public.")  # the link and its trees
    outside = {path: data for path, data in snapshot(box).items() if not path.startswith(site_output)}
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    after = snapshot(box)
    assert {path: data for path, data in after.items() if not path.startswith(site_output)
            and not path.startswith("site/.gongkai-cache")} == \
        {path: data for path, data in outside.items() if not path.startswith("site/.gongkai-cache")}
    assert all(part not in ("", ".", "..") for path in after for part in path.split("/"))


def test_two_topics_with_one_slug_are_refused(site: Path) -> None:
    vocabulary = ("tags:\n  vocabulary:\n    - {name: 教育, slug: edu, words: [教育]}\n"
                  "    - {name: 学前教育, slug: edu, words: [幼儿园]}\n")
    (site / "site.yaml").write_text(CONFIG + vocabulary, encoding="utf-8")
    line = CONFIG.count("\n") + 4
    refused(site, "build", expected=(f"site.yaml:{line}: tags.vocabulary[1].slug: ", "tags.vocabulary[0]"))


# --- attachment files -------------------------------------------------------------------

def with_attachments(site: Path, *files: str) -> None:
    items = "".join(f"- {{number: {n}, title: 附件{n}, inline: false, file: '{f}'}}\n"
                    for n, f in enumerate(files, start=1))
    (site / "content/notices/att.md").write_text(f"---\ntitle: 附件测试\nattachments:\n{items}---\n正文。\n",
                                                 encoding="utf-8")


ACTIVE = {
    "index.html": b"<script>alert(document.cookie)</script>",
    "page.htm": b"<script>alert(1)</script>",
    "page.xhtml": b"<html xmlns='http://www.w3.org/1999/xhtml'><script>alert(1)</script></html>",
    "logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "data.xml": b"<?xml version='1.0'?><x:script xmlns:x='http://www.w3.org/1999/xhtml'>alert(1)</x:script>",
    "app.js": b"alert(1)",
    "app.mjs": b"alert(1)",
    "Report.PDF.html": b"<script>alert(1)</script>",
}


@pytest.mark.parametrize("name", ACTIVE)
def test_an_active_attachment_is_refused(site: Path, name: str) -> None:
    (site / "content/notices" / name).write_bytes(ACTIVE[name])
    with_attachments(site, name)
    refused(site, "build", expected=("content/notices/att.md", "attachments[0].file", name, "active"))


@pytest.mark.parametrize("name", ["files/notes.md", "run.exe", "README", "shell.php"])
def test_an_attachment_of_an_unknown_type_is_refused(site: Path, name: str) -> None:
    (site / "content/notices" / name).parent.mkdir(exist_ok=True)
    (site / "content/notices" / name).write_bytes(b"x")
    with_attachments(site, "form.pdf", name)
    (site / "content/notices/form.pdf").write_bytes(b"%PDF-1.4\n")
    refused(site, "build", expected=("content/notices/att.md", "attachments[1].file", name, ".pdf"))


@pytest.mark.parametrize("name", ["../../site.yaml", "../../../neighbour.txt", "/etc/hostname"])
def test_an_attachment_outside_content_is_refused(site: Path, name: str) -> None:
    with_attachments(site, name)
    refused(site, "build", expected=("content/notices/att.md", "attachments[0].file", name))


def test_two_attachments_with_one_name_are_refused_naming_both(site: Path) -> None:
    for folder in ("a", "b"):
        (site / "content/notices" / folder).mkdir()
        (site / "content/notices" / folder / "form.pdf").write_bytes(b"%PDF-1.4\n" + folder.encode())
    with_attachments(site, "a/form.pdf", "b/form.pdf")
    refused(site, "build", expected=("notices/att/form.pdf", "attachments[0].file", "attachments[1].file"))


def test_allowed_attachments_are_published(site: Path) -> None:
    names = ["表.xlsx", "通知.PDF", "说明.ofd", "图.png", "汇总.wps", "材料.zip"]
    for name in names:
        (site / "content/notices" / name).write_bytes(b"data")
    with_attachments(site, *names)
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert all((site / "public/notices/att" / name).is_file() for name in names)


# --- the base URL -----------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://example.gov.cn/\nDisallow: /", "https://example.gov.cn/ x",
                                 "https://example.gov.cn/\tx", "javascript:alert(1)//x",
                                 "https://example.gov.cn/?a=1", "https://example.gov.cn/#top"])
def test_a_bad_base_url_on_the_command_line_is_refused(site: Path, url: str) -> None:
    refused(site, "build", "--base-url", url, expected=("--base-url: ",))


def test_a_base_url_with_a_newline_in_site_yaml_is_refused(site: Path) -> None:
    (site / "site.yaml").write_text(CONFIG.replace("xxgk/", 'xxgk/"').replace("base_url: ", 'base_url: "')
                                    .replace('xxgk/"', 'xxgk/\\nDisallow: /"'), encoding="utf-8")
    refused(site, "build", expected=("site.yaml:2: base_url: ",))


def test_serve_does_not_build_into_a_preview_folder_linked_to_the_sources(site: Path) -> None:
    (site / ".gongkai-cache").mkdir()
    (site / ".gongkai-cache/preview").symlink_to(site / "content")
    before = snapshot(site / "content")
    preview = Preview(site)
    try:
        preview.wait_for(lambda: any("is the site's content/" in line for line in preview.lines), 30)
    finally:
        preview.stop()
    assert snapshot(site / "content") == before
