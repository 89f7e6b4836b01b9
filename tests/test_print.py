"""A notice printed to A4 by Chromium, read back from the PDF page by page: where the pages
break, as a reader holding the paper sees it."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from tests.helpers import run_cli, write_site_yaml

SENTENCE = "各地要结合实际，细化工作措施，明确责任分工，加强督促检查，确保各项任务落到实处。"
BODY_END = "请遵照执行。"
SIGNER, DATE, NOTE = "示例市教育局", "2024年3月1日", "（此件主动公开）"
# Characters of the last body paragraph before its closing words. A4, 16pt 仿宋, about 28
# to a line: in Chromium the body alone then ends near the foot of page 1, and, were
# nothing to keep them with it, page 2 would begin with the 附注 (about 154-175), with the
# date (182-203) or with the signature (210-231); half a line apart, so that a slightly
# different font still lands some of them on each.
LENGTHS = range(126, 267, 14)
# Every keep of the print stylesheet undone: where the pages would break without them.
NO_KEEPS = (".notice-body * { break-before: auto !important; break-after: auto !important;"
            " break-inside: auto !important; }")


def notice(length: int) -> str:
    last = (SENTENCE * 10)[:length] + BODY_END
    return (f"---\ntitle: 关于做好本年度教育工作的通知\npublisher: {SIGNER}\nwritten: '2024-03-01'\n"
            f"published: '2024-03-01'\n---\n\n{{.addressee}}\n各区教育局：\n\n{SENTENCE * 3}\n\n{last}\n\n"
            f"::: signature\n{SIGNER}\n\n{DATE}\n:::\n\n{{.note}}\n{NOTE}\n")


def flat(text: str) -> str:
    """A page's text as one line: compatibility forms folded (the PDF's text layer gives
    ⽰ for 示, ( for （), no white space, no page number (— 2 —)."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("print-site")
    write_site_yaml(root)
    folder = root / "content/notices"
    folder.mkdir(parents=True)
    for length in LENGTHS:
        (folder / f"n{length:03d}.md").write_text(notice(length), encoding="utf-8")
    result = run_cli("build", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "public"


def pdf_pages(page: Page, page_file: Path, css: str = "") -> list[str]:
    """The text of each A4 sheet Chromium prints `page_file` on, with `css` added."""
    page.goto(page_file.as_uri())
    if css:
        page.add_style_tag(content=css)
    page.emulate_media(media="print")
    return [flat(sheet.extract_text()) for sheet in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.long
def test_the_signature_and_note_never_begin_a_printed_page_and_no_page_is_blank(printed: Path, page: Page) -> None:
    signer, date, note, end = (flat(text) for text in (SIGNER, DATE, NOTE, BODY_END))
    for length in LENGTHS:
        pages = pdf_pages(page, printed / f"notices/n{length:03d}/index.html")
        heads = [sheet[:12] for sheet in pages]
        assert all(pages), (length, heads)  # no sheet printed with nothing on it but its number
        for sheet in pages[1:]:
            assert not sheet.startswith((signer, date, note)), (length, heads)
        # The signer is also the 发布机构 of page 1's 文件信息: its last appearance is the signature.
        sheet = next(sheet for sheet in reversed(pages) if signer in sheet)
        assert end in sheet and sheet.index(end) < sheet.rindex(signer), (length, heads)
    # The lengths do reach the break: without the keeps, one of them starts page 2 with the signature.
    unkept = (pdf_pages(page, printed / f"notices/n{length:03d}/index.html", NO_KEEPS) for length in LENGTHS)
    assert any(sheet[1:2] and sheet[1].startswith(signer + date) for sheet in unkept)
