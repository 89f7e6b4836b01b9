"""Fuzzing: whatever raw text, saved page or front matter comes in, `normalize` and `build`
end with exit 0, or exit 1 and `error:` lines only, never a traceback.

Bounded and derandomized: CI runs the same examples every time, in seconds. The CLI's
main() runs in this process (a process per example would take minutes); an exception it
lets through fails the test with its traceback.
"""

from __future__ import annotations

import contextlib
import html
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.cli import main
from builder.i18n import ENGLISH, use, use_for_content
from tests.helpers import SEEDS, write_site_yaml

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SEED_LINES = sorted({line for seed in SEEDS for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()})
# Lines each rule of the normaliser, or of the body's Markdown, looks for.
TRICKY_LINES = ["附件：1.名单.pdf 2.", "附件1", "索引号：", "发布日期：2024-13-45", "成文日期：0000年0月0日", "一、",
                "（一）", "第一章", "第一条", "{.note}", '{style="color:red" .evil}', "::: signature", ":::",
                "```table",
                "| a | b |", "|---|", "<script>alert(1)</script>", "&#0;", "\x00", "\x1b[31m", "\u202e", "\ufeff",
                "扫一扫在手机上查看当前页面", "【打印本页】", "2024年6月20日", "示例局 2024年6月20日", "1" * 5000]
HOSTILE_URLS = ["http://[::1/files/名单.pdf", "javascript:alert(1)//x.pdf", "data:text/html,x.pdf", "//x/名单.pdf",
                "名单.pdf", "../../../etc/passwd.pdf", "http://例子.中国/附件.docx", "https://x/%zz.pdf", " \n.xls"]

lines = st.lists(st.one_of(st.sampled_from(SEED_LINES), st.sampled_from(TRICKY_LINES), st.text(max_size=50)),
                 max_size=60)
bodies = lines.map(lambda body: "\n".join(body) + "\n")


@st.composite
def pages(draw: st.DrawFn) -> str:
    """A saved page: elements of the kinds the page reader treats apart, around notice lines."""
    parts = []
    for line in draw(lines):
        tag = draw(st.sampled_from(["p", "div", "td", "h1", "li", "span", "script", "nav", "a", "base", "meta",
                                    "table", "tr"]))
        url = html.escape(draw(st.one_of(st.sampled_from(HOSTILE_URLS), st.text(max_size=30))), quote=True)
        attribute = draw(st.sampled_from(["", f' href="{url}"', f' class="{url}"', ' hidden', ' colspan="99999"',
                                          f' content="{url}" name="PubDate"', ' rowspan="-1"']))
        close = draw(st.booleans())
        parts.append(f"<{tag}{attribute}>{html.escape(line)}" + (f"</{tag}>" if close else ""))
    for url in draw(st.lists(st.one_of(st.sampled_from(HOSTILE_URLS), st.text(max_size=30).map(lambda s: s + ".pdf")),
                             min_size=1, max_size=4)):  # links to files: each becomes an attachment, or a warning
        parts.append(f'<p><a href="{html.escape(url, quote=True)}">附件：名单.pdf</a></p>')
    return "<!DOCTYPE html><html><head><meta charset=utf-8></head><body>" + "\n".join(parts) + "</body></html>"


def cli(root: Path, *args: str) -> None:
    """Run the CLI in `root`: it must end in 0, or in 1 with error lines and nothing else."""
    errors = io.StringIO()
    try:
        with contextlib.chdir(root), contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            code = main(list(args))
    finally:  # main() leaves its languages set in this process (content's: the site's, Chinese); others expect English
        use(ENGLISH)
        use_for_content(ENGLISH)
    assert code in (0, 1), code
    assert all(line.startswith("error: ") for line in errors.getvalue().splitlines()), errors.getvalue()
    assert (code == 1) == bool(errors.getvalue()), errors.getvalue()


@contextlib.contextmanager
def fresh_site() -> Iterator[Path]:
    """A site folder with the repository's site.yaml, search off (Pagefind per example is slow)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_site_yaml(root)
        (root / "seeds").mkdir()
        yield root


@FUZZ
@given(text=lines.map("\n".join), raw=st.binary(max_size=200), page=pages())
def test_normalize_never_crashes(text: str, raw: bytes, page: str) -> None:
    with fresh_site() as root:
        (root / "seeds/text.txt").write_text(text, encoding="utf-8")
        (root / "seeds/bytes.txt").write_bytes(raw)
        (root / "seeds/page.html").write_text(page, encoding="utf-8")
        cli(root, "normalize")


# Values that YAML, or a reader of one key, may choke on.
TRICKY_VALUES = ["&a [1, 2]", "*a", "!!python/object/apply:os.system [ls]", "!!binary aGk=", "!!set {a}", "!foo x",
                 "[", "{", "'", '"\\0\\u202e"', "1" * 5000, "0x" + "f" * 300, "2024-02-30", "2024-13-01T25:00:00",
                 "~", "[[[[[]]]]]", "{a: {b: c}}", "[1, [2]]", "- x", "? [a]\n: b", "<<: {a: 1}", "!!int x",
                 "!!float y", "!!bool maybe", "1e999", ".nan", "true", "-0", "0o17", "1_000", "190:20:30",
                 "http://[::1/x.pdf", "javascript:x", '"' + "x" * 300 + '.pdf"']


@pytest.fixture(scope="module")
def front_matter(normalized_seeds: Path) -> str:
    """A normalised notice with attachments: the text each example changes."""
    return next(text for text in (p.read_text(encoding="utf-8") for p in
                                  sorted((normalized_seeds / "content/notices").glob("*.md")))
                if "\n- number: 1\n" in text)


@FUZZ
@given(data=st.data())
def test_build_never_crashes(front_matter: str, data: st.DataObject) -> None:
    rows = front_matter.split("\n")
    head = rows.index("---", 1)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(1, head - 1))
        key = rows[at].split(":", 1)[0]
        # Mostly the tricky values: random text is seldom more than a string to YAML.
        value = data.draw(st.sampled_from(TRICKY_VALUES) if data.draw(st.integers(0, 3)) else st.text(max_size=40))
        rows[at] = f"{key}: {value}"
    body = data.draw(bodies)
    with fresh_site() as root:
        notices = root / "content/notices"
        notices.mkdir(parents=True)
        (notices / "x.md").write_text("\n".join(rows[:head + 1]) + "\n" + body, encoding="utf-8")
        cli(root, "build")

