"""Hostile and damaged input: each is a one-line error naming file, line and field (exit 1,
no traceback), the rest of a batch still done; a damaged cache is only a cache miss."""

from __future__ import annotations

import random
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import SEEDS, build_counts, files_in, portal_page, run_cli, site_tree, without_dac_override

GIB = 1 << 30


def run(*args: str, cwd: Path, limit: Callable[[], None] | None = None,
        timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """The CLI as run_cli runs it, with `limit` applied in the child before it starts."""
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, preexec_fn=limit)


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The error lines of a run that failed cleanly: exit 1, every stderr line an error."""
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") and len(line) < 400 for line in lines), result.stderr[-2000:]
    return lines


def normalized(site: Path) -> Path:
    """The site normalised; the file of its first notice with numbered attachments."""
    result = run_cli("normalize", cwd=site)
    assert result.returncode == 0, result.stderr
    return next(path for path in sorted((site / "content/notices").glob("*.md"))
                if "\n- number: 1\n  title: " in path.read_text(encoding="utf-8"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, start: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.strip().startswith(start))


def memory_bound() -> None:
    """A child that cannot take the machine down: 1 GB of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


# ---- URLs ---------------------------------------------------------------------------------

HOSTILE_LINKS = {
    "ipv6": "http://[::1/files/名单.pdf",
    "javascript": "javascript:alert(1)//名单.pdf",
    "data": "data:application/pdf;base64,JVBERi0=#名单.pdf",
}


def test_links_no_url_parser_reads_are_dropped_at_normalize_with_a_warning(site: Path) -> None:
    body = "".join(f'<p><a href="{href}">附件{number}：名单{number}.pdf</a></p>'
                   for number, href in enumerate(HOSTILE_LINKS.values(), 1))
    text = SEEDS[1].read_text(encoding="utf-8")
    paragraphs = "\n".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    (site / "seeds" / SEEDS[1].name).unlink()  # the page is that notice
    (site / "seeds" / "hostile.html").write_bytes(portal_page(paragraphs + body))
    result = run_cli("normalize", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert len(list((site / "content/notices").glob("*.md"))) == len(SEEDS)
    # the warning as normalize wrote it, in the site's language
    dropped = [line for line in result.stdout.splitlines() if "hostile.html" in line and "已舍弃" in line]
    assert len(dropped) == len(HOSTILE_LINKS), result.stdout
    written = "".join(p.read_text(encoding="utf-8") for p in (site / "content/notices").glob("*.md"))
    assert not re.search(r"(?m)^ +url: .*(?:\[::1|javascript:|data:)", written)
    assert run_cli("build", cwd=site).returncode == 0


@pytest.mark.parametrize("name", sorted(HOSTILE_LINKS))
def test_an_attachment_url_that_is_no_web_address_is_refused_by_build(site: Path, name: str) -> None:
    notice = normalized(site)
    edit(notice, "  inline: true\n", f"  inline: true\n  url: '{HOSTILE_LINKS[name]}'\n")
    [error] = errors(run_cli("build", cwd=site))
    assert re.match(rf"error: content/notices/{notice.name}:\d+: attachments\[0\]\.url: expected a web address", error)


def test_check_and_deploy_report_a_link_no_url_parser_reads(site: Path) -> None:
    normalized(site)
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") +
                                    f"deploy:\n  web:\n    type: dir\n    path: {site / 'www'}\n", encoding="utf-8")
    assert run_cli("build", cwd=site).returncode == 0
    edit(site / "public/index.html", "</body>", '<a href="http://[::1/files/名单.pdf">名单</a></body>')
    for command in ("check", "deploy"):
        result = run(command, cwd=site)
        assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr[-2000:]
        assert re.search(r"public/index\.html:\d+: link: .*is no URL", result.stderr), result.stderr


def test_a_feed_links_an_absolute_attachment_url_as_it_is(site: Path) -> None:
    notice = normalized(site)
    edit(notice, "  inline: true\n", "  inline: false\n  url: https://files.example.gov.cn/名单.pdf\n")
    assert run_cli("build", cwd=site).returncode == 0
    feed = (site / "public/feed.xml").read_text(encoding="utf-8")
    assert 'href="https://files.example.gov.cn/名单.pdf"' in feed
    assert "/https://" not in feed


# ---- numbers, names, characters -----------------------------------------------------------

HUGE = "1" * 5000


def set_line(path: Path, pattern: str, line: str) -> int:
    """Replace the first line matching `pattern` (a regex) by `line`; its number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, text in enumerate(lines) if re.match(pattern, text))
    lines[number] = line
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize(("pattern", "line", "field"), [
    (r"extra: ", f"extra: {{n: {HUGE}}}", "extra.n"),
    (r"title: ", f"title: {HUGE}", "title"),
    (r"- number: ", f"- number: 0x{'f' * 5000}", "attachments[0].number"),
    (r"published: ", f"published: {HUGE}.5", "published"),
], ids=["extra", "title", "hex-number", "float"])
def test_a_huge_number_in_front_matter_is_a_located_error(site: Path, pattern: str, line: str, field: str) -> None:
    notice = normalized(site)
    number = set_line(notice, pattern, line)
    [error] = errors(run_cli("build", cwd=site))
    assert error.startswith(f"error: content/notices/{notice.name}:{number}: {field}: a number of "), error


@pytest.mark.parametrize(("old", "new", "field"), [
    ("page_size: 20", f"page_size: {HUGE}", "page_size"),
    ("  max_tags: 5", f"  max_tags: {HUGE}", "tags.max_tags"),
])
def test_a_huge_number_in_site_yaml_is_a_located_error(site: Path, old: str, new: str, field: str) -> None:
    edit(site / "site.yaml", old, new)
    for command in ("normalize", "build"):
        [error] = errors(run_cli(command, cwd=site))
        assert error.startswith(f"error: site.yaml:{line_of(site / 'site.yaml', new.strip()[:8])}: {field}: "), error


@pytest.mark.parametrize(("name", "message"), [
    ("a" * 300 + ".pdf", "not a usable file name (File name too long)"),
    ("a\\0b.pdf", "ab.pdf: no such file beside the notice"),  # the NUL is no character of a name
    ("../../site.yaml", "leaves content/"),
])
def test_an_unusable_attachment_file_name_is_a_located_error(site: Path, name: str, message: str) -> None:
    notice = normalized(site)
    edit(notice, "  inline: true\n", f'  inline: true\n  file: "{name}"\n')
    [error] = errors(run_cli("build", cwd=site))
    assert re.match(rf"error: content/notices/{notice.name}:\d+: attachments\[0\]\.file: ", error), error
    assert message in error, error


def test_control_characters_and_bidi_overrides_never_reach_a_page(site: Path) -> None:
    notice = normalized(site)
    set_line(notice, "title: ", 'title: "\\u202e标题\\x07\\x1b[31m"')
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text + "\n隐藏\x01\x08\x7f文字\u202e倒\u2066序\n", encoding="utf-8")
    assert run_cli("build", cwd=site).returncode == 0
    for path, data in files_in(site / "public").items():
        if path.endswith((".html", ".xml", ".json")):
            found = re.findall("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]", data.decode("utf-8"))
            assert not found, (path, found)
    page = next((site / "public/notices").glob("*/index.html")).parent
    assert "隐藏文字倒序" in "".join(p.read_text(encoding="utf-8") for p in page.parent.glob("*/index.html"))


def test_attribute_lines_put_only_the_themes_classes_and_ids_on_a_page(site: Path) -> None:
    notice = normalized(site)
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text + '\n{style="position:fixed;inset:0;background:red" tabindex="1" autofocus="" '
                             '.evil .note #hijack}\n红色覆盖全页\n', encoding="utf-8")
    assert run_cli("build", cwd=site).returncode == 0
    page = (site / "public/notices" / notice.stem / "index.html").read_text(encoding="utf-8")
    assert '<p class="note">红色覆盖全页</p>' in page
    assert not any(bad in page for bad in ("background:red", 'tabindex="1"', "autofocus", "evil", "hijack"))


# ---- unreadable files, site.yaml ----------------------------------------------------------

def test_an_unreadable_content_file_is_an_error_and_the_others_still_checked(site: Path) -> None:
    normalized(site)
    unreadable, broken = sorted((site / "content/notices").glob("*.md"))[:2]
    unreadable.chmod(0)
    edit(broken, "title: ", "title: [")
    found = errors(run("build", cwd=site, limit=without_dac_override))
    assert f"error: content/notices/{unreadable.name}: cannot read: Permission denied" in found
    assert any(line.startswith(f"error: content/notices/{broken.name}:") for line in found), found
    assert not (site / "public").exists()


LISTING_DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "link-to-nothing": (lambda notices: (notices / "gone.md").symlink_to("nowhere.md"),
                        "content/notices/gone.md: cannot read: No such file or directory"),
    "link-loop": (lambda notices: (notices / "loop.md").symlink_to("loop.md"),
                  "content/notices/loop.md: cannot read: Too many levels of symbolic links"),
    "unreadable-folder": (lambda notices: notices.chmod(0), "content/notices/: cannot read: Permission denied"),
}


@pytest.mark.parametrize("damage", sorted(LISTING_DAMAGE))
def test_content_that_cannot_be_listed_is_an_error(site: Path, damage: str) -> None:
    normalized(site)
    notices = site / "content/notices"
    change, expected = LISTING_DAMAGE[damage]
    change(notices)
    try:
        [error] = errors(run("build", cwd=site, limit=without_dac_override))
    finally:
        notices.chmod(0o755)
    assert error == f"error: {expected}"
    assert not (site / "public").exists()


@pytest.mark.parametrize(("write", "expected"), [
    (lambda p: p.write_bytes(p.read_bytes() + "title2: 教育\n".encode("gbk")), r"site.yaml:\d+: not UTF-8 text"),
    (lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        "language: zh-CN", 'language: !!python/object/apply:os.system ["touch pwned"]'), encoding="utf-8"),
     r"site.yaml:\d+: language: tag !!python/object/apply:os.system is not allowed"),
    (lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        "page_size: 20", "page_size: !!binary aGVsbG8="), encoding="utf-8"),
     r"site.yaml:\d+: page_size: tag !!binary is not allowed"),
    (lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        "page_size: 20", "page_size: !!int twenty"), encoding="utf-8"),
     r"site.yaml:\d+: page_size: 'twenty' is no !!int"),
    (lambda p: (p.unlink(), p.mkdir()), r"site.yaml: cannot read: Is a directory"),
    (lambda p: p.chmod(0), r"site.yaml: cannot read: Permission denied"),
    (lambda p: p.write_text(p.read_text(encoding="utf-8").replace(
        "  max_tags: 5", '  max_tags: 5\n  vocabulary:\n    - {name: 教育, slug: "", words: [教育]}'),
        encoding="utf-8"),
     r"site.yaml:\d+: tags.vocabulary\[0\].slug: "),
], ids=["gbk", "python-tag", "binary-tag", "int-tag", "folder", "unreadable", "empty-slug"])
def test_a_bad_site_yaml_is_a_located_error(site: Path, write: Callable[[Path], None], expected: str) -> None:
    write(site / "site.yaml")
    for command in ("normalize", "build"):
        [error] = errors(run(command, cwd=site, limit=without_dac_override))
        assert re.match("error: " + expected, error), error
    assert not (site / "pwned").exists()


# ---- alias bombs --------------------------------------------------------------------------

def bomb(indent: str, depth: int = 8) -> str:
    """A "billion laughs": `depth` levels of nine aliases each (9**8 = 43 million leaves)."""
    lines = [f"{indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{indent}l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, depth + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["extra", "published", "words"])
def test_alias_bombs_are_refused_within_a_memory_and_time_bound(site: Path, where: str) -> None:
    notice = normalized(site)
    if where == "extra":
        edit(notice, "extra: {}\n", "extra:\n" + bomb("  "))
    elif where == "published":
        set_line(notice, "published: ", "published:\n" + bomb("  ").rstrip("\n"))
    else:
        (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8").replace(
            "  max_tags: 5", "  max_tags: 5\n  vocabulary:\n    - name: 教育\n      slug: education\n      words:\n"
            + bomb("        - ")), encoding="utf-8")
    result = run("build", cwd=site, limit=memory_bound, timeout=60)
    found = errors(result)
    assert len(found) == 1 and "aliases (*name) are not allowed" in found[0], found


# ---- full disk ----------------------------------------------------------------------------

def file_size_limit(size: int) -> Callable[[], None]:
    def limit() -> None:  # Python ignores SIGXFSZ: a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


@pytest.mark.parametrize("build", ["cold", "incremental"])
def test_a_full_disk_is_one_line_and_leaves_the_previous_site(site: Path, build: str) -> None:
    notice = normalized(site)
    assert run_cli("build", cwd=site).returncode == 0
    before = files_in(site / "public")
    edit(notice, "title: ", "title: 改")
    args = ("build",) if build == "incremental" else ("build", "--out", "fresh")
    [error] = errors(run(*args, cwd=site, limit=file_size_limit(16_000)))
    assert re.match(r"error: \S+: cannot write: File too large$", error), error
    assert files_in(site / "public") == before
    assert not (site / "fresh").exists()
    assert [p.name for p in site.iterdir() if p.name.startswith(".") and "new" in p.name] == []
    assert run_cli("build", cwd=site).returncode == 0  # and the next build, with room, is whole


def test_a_full_disk_while_normalizing_is_one_line(site: Path) -> None:
    [error] = errors(run("normalize", cwd=site, limit=file_size_limit(4_000)))
    assert re.match(r"error: content/notices/\S+\.md: cannot write: File too large$", error), error


# ---- the cache ----------------------------------------------------------------------------

def flip_bits(data: bytes, titles: list[bytes]) -> bytes:
    picks = random.Random(7)
    damaged = bytearray(data)
    for at in picks.sample(range(len(damaged)), min(8, len(damaged))):
        damaged[at] ^= 1 << picks.randrange(8)
    return bytes(damaged)


def flip_in_title(data: bytes, titles: list[bytes]) -> bytes:
    """A bit flipped in the last byte of a title's first character: still UTF-8, and a
    pickle that loads, of another title (a file holding no title: bits anywhere)."""
    title = next((t for t in titles if t in data), None)
    if title is None:
        return flip_bits(data, titles)
    at = data.index(title) + 2
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


def into_folder(path: Path) -> None:
    path.unlink()
    (path / "x").mkdir(parents=True)


CACHE_DAMAGE: dict[str, Callable[[bytes, list[bytes]], bytes | None]] = {
    # A pickle header announcing more bytes than a system can hold: OverflowError, not an UnpicklingError.
    "garbage-header": lambda data, titles: b"\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f" + data[20:],
    "random-bytes": lambda data, titles: random.Random(3).randbytes(len(data)),
    "bit-flips": flip_bits,
    "bit-flip-in-title": flip_in_title,
    "truncated": lambda data, titles: data[: len(data) // 2],
    "empty": lambda data, titles: b"",
    "folder": lambda data, titles: None,
}


@pytest.mark.parametrize("damage", sorted(CACHE_DAMAGE))
def test_a_damaged_cache_is_a_cache_miss(site_with_search: Path, damage: str) -> None:
    """With search: the cache holds the index's state too."""
    site = site_with_search
    normalized(site)
    assert run_cli("build", cwd=site).returncode == 0
    expected = site_tree(site / "public")
    cache = site / ".gongkai-cache"
    notices = {p.stem: p.read_text(encoding="utf-8") for p in (site / "content/notices").glob("*.md")}
    titles = [re.search(r"(?m)^title: (.*)$", text)[1].encode() for text in notices.values()]
    for path in [*cache.glob("*.pickle"), *cache.glob("content/*.pickle")]:  # the stamp is build-….stamp.pickle
        damaged = CACHE_DAMAGE[damage](path.read_bytes(), titles)
        path.write_bytes(damaged) if damaged is not None else into_folder(path)
    result = run_cli("build", cwd=site)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert site_tree(site / "public") == expected
    again = run_cli("build", cwd=site)  # the cache was rewritten: nothing to do
    assert again.returncode == 0 and build_counts(again.stdout)[0] == 0, again.stdout


@pytest.mark.parametrize("path", [".gongkai-cache", ".gongkai-cache/content"])
def test_a_file_where_a_cache_folder_goes_is_a_cache_miss(site_with_search: Path, path: str) -> None:
    site = site_with_search
    normalized(site)
    assert run_cli("build", cwd=site).returncode == 0
    expected = site_tree(site / "public")
    shutil.rmtree(site / path)
    (site / path).write_bytes(b"not a folder")
    (site / "content/notices" / "new.md").write_text(
        next((site / "content/notices").glob("*.md")).read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("build", cwd=site)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    (site / "content/notices/new.md").unlink()
    assert run_cli("build", cwd=site).returncode == 0
    assert site_tree(site / "public") == expected
