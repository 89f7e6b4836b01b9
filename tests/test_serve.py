"""gongkai serve: a real server in a subprocess, real edits, a real Server-Sent Events client."""

from __future__ import annotations

import queue
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import DEADLINE, REPO, Preview, run_cli, write_site_yaml


def listen(url: str, events: queue.Queue[str]) -> None:
    """A Server-Sent Events client: puts each event name it hears."""
    with urllib.request.urlopen(url + "__gongkai/events", timeout=30) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("event:"):
                events.put(line.split(":", 1)[1].strip())


def started(root: Path, search: bool) -> Iterator[Preview]:
    """The seeds normalised in `root` and previewed there, search on or off."""
    write_site_yaml(root, search=search)
    shutil.copytree(REPO / "seeds", root / "seeds")
    assert run_cli("normalize", cwd=root).returncode == 0
    server = Preview(root)
    yield server
    server.stop()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    yield from started(tmp_path, search=False)


@pytest.fixture
def preview_with_search(tmp_path: Path) -> Iterator[Preview]:
    yield from started(tmp_path, search=True)


NOTICE = "content/notices/qz01113-1000-2024-00008.md"


def test_edit_shows_within_two_seconds_and_reloads_pages(preview: Preview) -> None:
    status, kind, page = preview.get("notices/qz01113-1000-2024-00008/")
    assert status == 200 and kind == "text/html; charset=utf-8" and "__gongkai/events" in page
    events: queue.Queue[str] = queue.Queue()
    threading.Thread(target=listen, args=(preview.url, events), daemon=True).start()
    time.sleep(0.3)
    path = preview.root / NOTICE
    text = path.read_text(encoding="utf-8")
    edited = text.replace("title: 泉州市鲤城区教育局关于印发", "title: 【修订】泉州市鲤城区教育局关于印发")
    path.write_text(edited, encoding="utf-8")
    for page_path in ("notices/qz01113-1000-2024-00008/", "", "topics/education/"):
        preview.wait_for(lambda p=page_path: "【修订】泉州市鲤城区教育局" in preview.get(p)[2])
    assert events.get(timeout=DEADLINE) == "reload"
    assert not (preview.root / "public").exists()  # preview never writes the real site


def test_added_and_deleted_notices(preview: Preview) -> None:
    added = preview.root / "content/notices/new-notice.md"
    added.write_text("---\ntitle: 新增的示例通知\npublisher: 示例局\npublished: '2025-01-02'\n"
                     "tags: [教育]\n---\n\n正文。\n", encoding="utf-8")
    preview.wait_for(lambda: "新增的示例通知" in preview.get("")[2])
    assert preview.get("notices/new-notice/")[0] == 200
    added.unlink()
    preview.wait_for(lambda: preview.get("notices/new-notice/")[0] == 404)
    assert "新增的示例通知" not in preview.get("notices/")[2]
    assert "新增的示例通知" not in preview.get("topics/education/")[2]


def test_broken_yaml_shows_an_error_page_then_recovers(preview: Preview) -> None:
    path = preview.root / NOTICE
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("tags:\n", "tags: [unclosed\n", 1), encoding="utf-8")
    preview.wait_for(lambda: preview.get("")[0] == 500)
    status, _, page = preview.get("notices/qz01113-1000-2024-00008/")
    assert status == 500 and "<dd>content/notices/qz01113-1000-2024-00008.md</dd>" in page and "invalid YAML" in page
    path.write_text(good, encoding="utf-8")
    preview.wait_for(lambda: preview.get("notices/qz01113-1000-2024-00008/")[0] == 200)
    assert preview.process.poll() is None


def test_only_files_inside_the_site_are_served(preview: Preview) -> None:
    (preview.root / "secret.txt").write_text("secret", encoding="utf-8")
    for path in ("/../site.yaml", "/%2e%2e/site.yaml", "/static/..%2f..%2fsite.yaml", "/..%2f..%2f..%2fetc/passwd",
                 "/static/%2e%2e/%2e%2e/secret.txt", "/%00"):
        assert preview.raw_status(path) in (400, 404), path
    status, kind, _ = preview.get("feed.xml")
    assert status == 200 and kind.startswith("application/xml")
    assert preview.get("static/style.css")[1].startswith("text/css")
    status, kind, page = preview.get("no/such/page/")
    assert status == 404 and "页面未找到" in page


def test_a_burst_of_200_files_gives_few_rebuilds(preview: Preview) -> None:
    before = preview.rebuilds()
    folder = preview.root / "content/notices"
    for number in range(200):
        (folder / f"burst-{number:03d}.md").write_text(
            f"---\ntitle: 批量通知{number}\npublished: '2025-02-01'\n---\n\n正文{number}。\n", encoding="utf-8")
    preview.wait_for(lambda: preview.get("notices/burst-199/")[0] == 200, 20)
    time.sleep(1.5)
    assert preview.rebuilds() - before <= 3, preview.lines[-5:]


def test_a_raw_file_in_seeds_is_normalised_and_shown(preview: Preview) -> None:
    raw = (REPO / "seeds").glob("001_*.txt").__next__().read_text(encoding="utf-8")
    (preview.root / "seeds/extra.txt").write_text(raw.replace("2022年鲤城教育工作要点", "2023年鲤城教育工作要点"),
                                                   encoding="utf-8")
    preview.wait_for(lambda: "2023年鲤城教育工作要点" in preview.get("notices/")[2], 10)


def test_stopping_ends_its_search_indexing_and_cleans_up(preview_with_search: Preview) -> None:
    """The index is built beside the preview; a preview stopped (SIGTERM) while Pagefind runs
    ends those runs and leaves no work folders behind."""
    preview = preview_with_search
    cache = preview.root / ".gongkai-cache"
    note = preview.root / NOTICE
    note.write_text(note.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    preview.wait_for(lambda: preview.rebuilds() >= 2)
    preview.stop()
    assert preview.process.returncode == 0 and any(line.startswith("stopped") for line in preview.lines)
    assert not [p.name for p in cache.iterdir() if ".search-" in p.name]
    assert not [cmd for cmd in command_lines() if "pagefind" in cmd and str(cache) in cmd]


def command_lines() -> list[str]:
    """The command line of every process on the machine (Linux's /proc)."""
    lines = []
    for entry in Path("/proc").iterdir():
        try:
            lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            continue
    return lines
