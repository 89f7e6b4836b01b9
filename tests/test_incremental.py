"""Incremental builds give exactly the bytes of a clean build, for every kind of change,
and a parallel build the bytes of a single-process one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from builder.config import load_config
from builder.fsio import tree_state
from builder.incremental import plan_build
from builder.record import CACHE_DIR, load_content, load_record
from tests.helpers import REPO, Preview, build_counts, edit, generate_site, notice, run_cli, site_tree


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def add_attachment_file(root: Path) -> None:
    (root / "content/notices/form.pdf").write_bytes(b"%PDF-1.4 first")
    edit(notice(root, 3), "inline: false}", "inline: false, file: form.pdf}")


CHANGES: dict[str, Callable[[Path], None]] = {
    "body": lambda r: edit(notice(r, 5), "第二段。", "第二段，改过。"),
    "title": lambda r: edit(notice(r, 5), "title: 示例通知第5号", "title: 示例通知第5号（修订）"),
    "tags": lambda r: edit(notice(r, 5), "tags: [", "tags: [新主题, "),
    "publisher": lambda r: edit(notice(r, 5), "publisher: 示例", "publisher: 另一个示例"),
    "date": lambda r: edit(notice(r, 6), "published: '20", "published: '19"),
    "attachment file": add_attachment_file,  # see the test: the file changes after a build
    "template": lambda r: write(r / "theme/templates/404.html",
                                '{% extends "base.html" %}{% block main %}<h1>找不到了</h1>{% endblock %}'),
    "base template": lambda r: write(r / "theme/templates/base.html", (REPO / "theme/templates/base.html").read_text(
        encoding="utf-8").replace("</footer>", "<p>页脚新增一行</p></footer>")),
    "imported template": lambda r: write(r / "theme/templates/_notice_list.html", (
        REPO / "theme/templates/_notice_list.html").read_text(encoding="utf-8").replace("</ul>", "</ul><p>列表尾</p>")),
    "stylesheet": lambda r: write(r / "theme/static/style.css", "body { color: #000; }\n"),
    "stylesheet again": lambda r: write(r / "theme/static/print.css", "body { color: #111; }\n"),
    "site.yaml": lambda r: edit(r / "site.yaml", "title: 教育信息公开", "title: 示例信息公开"),
    "deletion": lambda r: notice(r, 7).unlink(),
    "rename": lambda r: notice(r, 8).rename(r / "content/notices/renamed.md"),
    "draft": lambda r: edit(notice(r, 9), "---\n\n", "draft: true\n---\n\n"),
    "title a theme's group page shows": lambda r: CHANGES["title"](r),
    "body of a notice with an attachment file": lambda r: edit(notice(r, 3), "第二段。", "第二段，改过。"),
    "bodies and a title": lambda r: (CHANGES["body"](r), edit(notice(r, 6), "第二段。", "第二段，改过。"),
                                     edit(notice(r, 8), "title: 示例通知第8号", "title: 示例通知第8号（修订）")),
}


def show_titles_on_group_pages(root: Path) -> None:
    """A theme may show more of what a page is given than gongkai's own templates do: here
    every group's notices' titles on the 主题分类, 发布机构 and 年度归档 pages."""
    write(root / "theme/templates/groups.html", (REPO / "theme/templates/groups.html").read_text(encoding="utf-8")
          .replace("{% endblock %}", "{% for g in groups %}{% for n in g.notices %}<p>{{ n.title }}</p>"
                                     "{% endfor %}{% endfor %}{% endblock %}"))


# What stands before the first build, for changes that are made to it.
BEFORE: dict[str, Callable[[Path], None]] = {
    "attachment file": add_attachment_file,  # then the change is to the file alone
    "stylesheet again": lambda r: write(r / "theme/static/print.css", "body { color: #222; }\n"),  # the same file
    "title a theme's group page shows": show_titles_on_group_pages,
    "body of a notice with an attachment file": add_attachment_file,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_incremental_build_equals_a_clean_build(tmp_path: Path, change: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    generate_site(site, 60, search=True)  # the index too equals a clean build's
    BEFORE.get(change, lambda _: None)(site)
    assert run_cli("build", cwd=site).returncode == 0
    if change == "attachment file":
        (site / "content/notices/form.pdf").write_bytes(b"%PDF-1.4 second, longer")
    else:
        CHANGES[change](site)
    incremental = run_cli("build", cwd=site)
    assert incremental.returncode == 0, incremental.stderr
    written, skipped, _ = build_counts(incremental.stdout)
    assert written and skipped, incremental.stdout  # what shows the change is written, the rest taken over

    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("public", ".gongkai-cache"))
    cleanly = run_cli("build", cwd=clean)
    assert cleanly.returncode == 0, cleanly.stderr
    assert build_counts(cleanly.stdout) == (written + skipped, 0, 0)  # every output: written or taken over
    assert site_tree(site / "public") == site_tree(clean / "public")
    # Parts taken over from the last build have the keys that planning them would give.
    parts = [load_record(folder, folder.resolve() / "public").parts for folder in (site, clean)]
    assert parts[0] == parts[1]


def test_each_of_many_successive_builds_equals_a_clean_build(tmp_path: Path) -> None:
    """From the third build on, the standby tree is mended by what the build before changed
    (builder/publish.py TreeLog), not by walking it: every build still gives a clean build's
    bytes, whatever the builds between changed (pages, attachment files, search shards)."""
    site = tmp_path / "site"
    site.mkdir()
    generate_site(site, 40, search=True)
    assert run_cli("build", cwd=site).returncode == 0
    config = site / "site.yaml"
    def body(number: int) -> Callable[[Path], None]:
        return lambda root: edit(notice(root, number), "第二段。", "第二段，改过。")

    def search(on: bool) -> Callable[[Path], None]:
        text = config.read_text(encoding="utf-8").replace("search: false\n", "")
        return lambda _: config.write_text(text + ("" if on else "search: false\n"), encoding="utf-8")

    steps = [("body", body(5)), ("deletion", CHANGES["deletion"]), ("attachment file", add_attachment_file),
             ("title", CHANGES["title"]), ("body", body(11)), ("rename", CHANGES["rename"]),
             ("search off", search(False)), ("draft", CHANGES["draft"]), ("search on", search(True)),
             ("tags", CHANGES["tags"]), ("body", body(12))]
    for number, (step, change) in enumerate(steps):
        change(site)
        built = run_cli("build", cwd=site)
        assert built.returncode == 0, built.stderr
        clean = tmp_path / f"clean-{number}"
        shutil.copytree(site, clean, ignore=shutil.ignore_patterns("public", ".public.*", ".gongkai-cache"))
        assert run_cli("build", cwd=clean).returncode == 0
        assert site_tree(site / "public") == site_tree(clean / "public"), f"step {number}: {step}"
        shutil.rmtree(clean)
        if number:  # a build after one that switched trees left a log of how they differ
            assert load_record(site, site.resolve() / "public").trees is not None


def test_unchanged_rebuild_writes_nothing(tmp_path: Path) -> None:
    generate_site(tmp_path, 30)
    first = run_cli("build", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = run_cli("build", cwd=tmp_path)
    assert build_counts(again.stdout) == (0, build_counts(first.stdout)[0], 0)


def test_unchanged_rebuild_stops_before_reading_its_cache(tmp_path: Path) -> None:
    generate_site(tmp_path, 10, search=True)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    CHANGES["body"](tmp_path)  # an incremental build, with reindexing, leaves the stamp too
    edited = run_cli("build", cwd=tmp_path)
    assert edited.returncode == 0, edited.stderr
    for record in (tmp_path / ".gongkai-cache").rglob("*.pickle"):
        if not record.name.endswith(".stamp.pickle"):  # the stamp, read first, says there is nothing to do
            record.write_bytes(b"not a build record")  # read, it would make the build a full one
    again = run_cli("build", cwd=tmp_path)
    written, skipped, _ = build_counts(edited.stdout)
    assert build_counts(again.stdout) == (0, written + skipped, 0)


@pytest.mark.parametrize("damage", ["deleted", "edited"])
def test_a_damaged_output_folder_is_not_taken_as_unchanged(tmp_path: Path, damage: str) -> None:
    generate_site(tmp_path, 10)
    first = run_cli("build", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    page = tmp_path / "public/notices/n0003/index.html"
    expected = page.read_bytes()
    page.unlink() if damage == "deleted" else page.write_bytes(b"edited in public/")
    again = run_cli("build", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert build_counts(again.stdout) == (1, build_counts(first.stdout)[0] - 1, 0)  # the page, written again
    assert page.read_bytes() == expected


def test_one_edit_rewrites_only_what_shows_it(tmp_path: Path) -> None:
    generate_site(tmp_path, 60, search=True)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    before = site_tree(tmp_path / "public")
    CHANGES["body"](tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    after = site_tree(tmp_path / "public")
    assert any("/fragment/" in path and path not in before for path in after)  # reindexed
    changed = {path for path, data in after.items() if before.get(path) != data and not path.startswith("pagefind/")}
    assert "notices/n0005/index.html" in changed
    assert not any(path.startswith("notices/n0006") for path in changed)
    assert all(path.endswith((".xml", ".json", "index.html")) for path in changed)
    assert not changed & {"sitemap.xml", "notices.json"}  # they show metadata, not bodies
    assert len(changed) < 20


def test_a_title_edit_renders_again_the_list_pages_that_show_it_not_all_its_groups_pages(tmp_path: Path) -> None:
    generate_site(tmp_path, 120)
    assert run_cli("build", cwd=tmp_path).returncode == 0

    def list_pages() -> dict[str, tuple[int, bytes]]:  # a page rendered again is a new file, whatever its bytes
        public = tmp_path / "public"
        return {path.relative_to(public).as_posix(): (path.stat().st_ino, path.read_bytes())
                for kind in ("topics", "publishers", "archives") for path in (public / kind).rglob("*.html")}

    before = list_pages()
    CHANGES["title"](tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    after = list_pages()
    showing = {path for path, (_, data) in after.items() if "示例通知第5号（修订）".encode() in data}
    again = {path for path in after if after[path][0] != before[path][0]}
    assert showing and again == showing | {"topics/index.html", "publishers/index.html", "archives/index.html"}


def test_a_template_edit_rewrites_only_the_pages_made_with_it(tmp_path: Path) -> None:
    generate_site(tmp_path, 60)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    before = site_tree(tmp_path / "public")
    CHANGES["template"](tmp_path)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written, _, removed = build_counts(result.stdout)
    assert (written, removed) == (1, 0)
    after = site_tree(tmp_path / "public")
    assert {path for path, data in after.items() if before.get(path) != data} == {"404.html"}
    CHANGES["imported template"](tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    changed = {path for path, data in site_tree(tmp_path / "public").items() if after.get(path) != data}
    assert "index.html" in changed and "notices/index.html" in changed
    assert not any(path.startswith("notices/n0") for path in changed)  # notice pages list nothing


def test_deleting_the_cache_gives_a_full_identical_build(tmp_path: Path) -> None:
    generate_site(tmp_path, 30, search=True)
    first = run_cli("build", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = site_tree(tmp_path / "public")
    shutil.rmtree(tmp_path / ".gongkai-cache")
    result = run_cli("build", cwd=tmp_path)
    assert build_counts(result.stdout) == build_counts(first.stdout)  # every file written, none skipped
    assert site_tree(tmp_path / "public") == before


def test_an_edit_rewrites_only_the_content_cache_shard_that_holds_its_notice(tmp_path: Path) -> None:
    generate_site(tmp_path, 60)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    shards = tmp_path / CACHE_DIR / "content"

    def files() -> dict[str, int]:
        return {path.name: path.stat().st_ino for path in shards.iterdir()}  # a rewrite makes a new file

    before = files()
    CHANGES["body"](tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    after = files()
    assert after.keys() == before.keys() and len([name for name in after if after[name] != before[name]]) == 1
    CHANGES["deletion"](tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    cached = load_content(tmp_path)
    assert "n0007" not in cached and len(cached) == 59
    assert cached["n0005"].size == notice(tmp_path, 5).stat().st_size  # the edited file's entry


def test_a_body_edit_reads_and_plans_only_the_notice_edited_and_the_feeds_that_show_it(tmp_path: Path) -> None:
    """At 100,000 notices, reading and indexing the site is most of a rebuild: a build whose
    only changes are to bodies plans from the last build's frame (builder/frame.py)."""
    generate_site(tmp_path, 60, search=True)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    CHANGES["body"](tmp_path)
    config, out = load_config(tmp_path, required=True), tmp_path.resolve() / "public"
    planned = plan_build(tmp_path, config, out, tree_state(tmp_path / "content"), False, 1, None)
    assert [n.slug for n in planned.loaded.notices] == ["n0005"]
    feeds = {feed.rss_path for feed in planned.frame.feeds if any(n.slug == "n0005" for n in feed.notices)}
    assert feeds and {o.path for o in planned.todo} <= {"notices/n0005/index.html", *feeds,
                                                       *(path.replace("feed.xml", "atom.xml") for path in feeds)}
    edit(notice(tmp_path, 6), "title: 示例通知第6号", "title: 示例通知第6号（修订）")  # metadata: the whole site
    planned = plan_build(tmp_path, config, out, tree_state(tmp_path / "content"), False, 1, None)
    assert len(planned.loaded.notices) == 60


def test_a_body_edit_that_breaks_its_file_is_reported_as_by_a_full_build(tmp_path: Path) -> None:
    generate_site(tmp_path, 30)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    edit(notice(tmp_path, 5), "\n---\n\n", "\n--\n\n")  # the front matter no longer ends
    failed = run_cli("build", cwd=tmp_path)
    assert failed.returncode != 0 and "content/notices/n0005.md" in failed.stderr
    assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1, failed.stderr


@pytest.mark.parametrize("first", ["body", "title"])
def test_an_edit_built_into_another_folder_first_is_still_seen(tmp_path: Path, first: str) -> None:
    """Output folders share the content cache, not their frames: a's next build compares
    the notices with what a's last build saw, whatever b's builds read meanwhile."""
    site = tmp_path / "site"
    site.mkdir()
    generate_site(site, 30, search=True)
    assert run_cli("build", "--out", "a", cwd=site).returncode == 0
    CHANGES[first](site)
    assert run_cli("build", "--out", "b", cwd=site).returncode == 0
    edit(notice(site, 6), "第二段。", "第二段，改过。")
    assert run_cli("build", "--out", "a", cwd=site).returncode == 0
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("a", "b", CACHE_DIR))
    assert run_cli("build", "--out", "a", cwd=clean).returncode == 0
    assert site_tree(site / "a") == site_tree(clean / "a")


def record_pieces(root: Path) -> dict[str, int]:
    """The files of the build record's pieces (builder/record.py), by name, with their inodes."""
    folder = next((root / CACHE_DIR).glob("build-*.pieces"))
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


def test_a_body_edit_rewrites_a_few_pieces_of_the_build_record(tmp_path: Path) -> None:
    generate_site(tmp_path, 60)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    before = record_pieces(tmp_path)
    CHANGES["body"](tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    after = record_pieces(tmp_path)
    assert len(after) == len(before) == 65  # 64 shards of the plan's parts, and the frame
    new = after.keys() - before.keys()
    assert 1 <= len(new) <= 8 and not any(name.startswith("frame-") for name in new)  # its part and its feeds'


@pytest.mark.parametrize("damage", ["piece missing", "piece damaged", "new pieces beside the last record"])
def test_a_build_record_not_whole_is_not_trusted(tmp_path: Path, damage: str) -> None:
    """A piece gone or damaged makes the record unread (the next build is a full one); a
    build stopped after writing its new pieces, before its record, leaves the last record
    naming the pieces it was made with."""
    generate_site(tmp_path, 40, search=True)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    folder = next((tmp_path / CACHE_DIR).glob("build-*.pieces"))
    record = folder.with_suffix(".pickle")
    last = record.read_bytes()
    shutil.copytree(folder, tmp_path / "kept")
    CHANGES["body"](tmp_path)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    name = sorted(record_pieces(tmp_path))[0]
    if damage == "piece missing":
        (folder / name).unlink()
    elif damage == "piece damaged":
        (folder / name).write_bytes((folder / name).read_bytes()[:-7])
    else:  # the record before, its pieces beside the new ones: a build stopped before writing its record
        record.write_bytes(last)
        for path in (tmp_path / "kept").iterdir():
            shutil.copy2(path, folder / path.name)
    CHANGES["title"](tmp_path)
    edit(notice(tmp_path, 9), "第二段。", "第二段，改过。")
    built = run_cli("build", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    skipped = build_counts(built.stdout)[1]
    assert (skipped > 0) == (damage == "new pieces beside the last record"), built.stdout  # else a full build
    clean = tmp_path / "clean"
    shutil.copytree(tmp_path, clean, ignore=shutil.ignore_patterns("public", ".public.*", CACHE_DIR, "kept", "clean"))
    assert run_cli("build", cwd=clean).returncode == 0
    assert site_tree(tmp_path / "public") == site_tree(clean / "public")


def test_builds_into_two_folders_share_the_content_cache_safely(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    generate_site(site, 30, search=True)
    assert run_cli("build", "--out", "a", cwd=site).returncode == 0
    CHANGES["body"](site)
    assert run_cli("build", "--out", "b", cwd=site).returncode == 0
    CHANGES["title"](site)
    again = run_cli("build", "--out", "a", cwd=site)  # a's last build was before either edit
    written, skipped, removed = build_counts(again.stdout)
    assert again.returncode == 0 and written and skipped and not removed, again.stdout
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("a", "b", CACHE_DIR))
    cleanly = run_cli("build", "--out", "a", cwd=clean)
    assert build_counts(cleanly.stdout) == (written + skipped, 0, 0)
    assert site_tree(site / "a") == site_tree(clean / "a")


def test_parallel_build_equals_single_process(tmp_path: Path) -> None:
    generate_site(tmp_path, 150, search=True)  # Pagefind runs side by side too
    assert run_cli("build", "--out", "one", "--jobs", "1", cwd=tmp_path).returncode == 0
    assert run_cli("build", "--out", "many", "--jobs", "4", cwd=tmp_path).returncode == 0
    assert site_tree(tmp_path / "one") == site_tree(tmp_path / "many")


def test_adding_a_deploy_target_rebuilds_nothing(tmp_path: Path) -> None:
    generate_site(tmp_path, 10)
    first = run_cli("build", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    config = tmp_path / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "deploy:\n  web:\n    type: dir\n    path: /srv/www/x\n",
                      encoding="utf-8")
    again = run_cli("build", cwd=tmp_path)
    assert build_counts(again.stdout) == (0, build_counts(first.stdout)[0], 0)


class _Arrivals(FileSystemEventHandler):
    """Every path that appears in or leaves a folder, in the order the kernel reports it."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.seen = folder, []

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("created", "moved", "deleted"):
            path = str(getattr(event, "dest_path", "") or event.src_path)
            self.seen.append((event.event_type, Path(path).relative_to(self.folder).as_posix()))


def test_a_site_served_while_it_is_rebuilt_goes_from_the_old_site_to_the_new_in_one_rename(tmp_path: Path) -> None:
    """public/ is a link to a whole tree: a rebuild makes the new site in the standby tree
    beside it and renames a new link over public/, so a web server finds the old site or the
    new one, never a mix (tests/test_build_faults.py kills builds to show it)."""
    generate_site(tmp_path, 20)
    assert run_cli("build", cwd=tmp_path).returncode == 0
    assert os.readlink(tmp_path / "public") == ".public.1"
    added = "---\ntitle: 新增的通知\npublished: '2030-01-01'\n---\n\n正文。\n"
    (tmp_path / "content/notices/zz-new.md").write_text(added, encoding="utf-8")
    arrivals = _Arrivals(tmp_path)
    observer = Observer()
    observer.schedule(arrivals, str(tmp_path), recursive=False)
    observer.start()
    try:
        assert run_cli("build", cwd=tmp_path).returncode == 0
        Preview.wait_for(lambda: ("moved", "public") in arrivals.seen, 10)  # the observer reports late
    finally:
        observer.stop()
        observer.join()
    assert [event for event in arrivals.seen if event[1] == "public"] == [("moved", "public")], arrivals.seen
    assert os.readlink(tmp_path / "public") == ".public.2"
    assert (tmp_path / "public/notices/zz-new/index.html").is_file()
