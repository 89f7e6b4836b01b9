"""The fast Markdown path renders what the reference renderer (markdown-it-py and its
plugins) renders, and is taken for the bodies the normaliser writes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from builder.markdown import REFERENCE, fast_html, render_markdown
from tests.helpers import read_notice

# Lines to build bodies from: the marks in every form the fast path takes or refuses, and
# CommonMark that the two engines must read alike inside a piece.
LINES = [
    "::: signature", ":::", ":::: attachment", "::::", "::: attachments", "::: document", ":::signature",
    "::: unknown", "{.note}", "{#attachment-1 .attachment-label}", "{.a style=x}", "  {.x}", "{.a} 尾}",
    "## 标题", "### 一、章", "段落文字，**粗**与`码`。", "", "", "", "- 项", "1. 项", "3) 项", "  - 嵌套", "   续",
    "| a | b |", "| --- | --- |", "| 1 | 2 |", "| :-- | --: |", "| 甲 \\| 乙 |", "甲 | 乙", "--- | ---",
    "```", "```table", "~~~", "````", '<table><tr><td rowspan="2">甲</td></tr></table>', "> 引", "    码", "\t码",
    "---", "===", "***", "[r]: /u", "[链][]", "[链](http://example.com \"题\")", "<http://example.com>",
    "![图](a.png)", "&amp; &#123; &copy;", "行尾两空格  ", "行尾反斜杠\\", "<b>粗</b>", "<!-- 注 -->",
    "2\\. 不是列表", "1\\.条", "中文**强调**中文", "*（括）*字", "“引号”——", "www.example.com", "~~删~~",
]

# Bodies that leave the normaliser's layout, each with the path that renders it: True, the
# fast path (cut at its marks, the pieces rendered by markdown-it-pyrs), whose HTML must be the
# reference's; False, the reference renderer, for a body where cutting at a mark could change
# what a line means (builder/markdown.py says why of each kind).
CASES = {
    "attributes after a heading": ("## 标题\n{.x}\n段落", False),
    "attributes after a heading and a blank line": ("## 标题\n\n{.note}\n段落", True),
    "attributes inside a paragraph": ("段落\n{.x}\n文字", False),
    "attributes after a paragraph and a blank line": ("段落\n\n{.note}\n文字", True),
    "stacked attributes": ("{.a}\n{#b .c}\n段落", False),
    "attributes, a blank line, their block": ("{.a}\n\n段落", True),
    "attributes on a container": ("{.a}\n::: signature\n甲\n:::", False),
    "attributes on a list": ("{.a}\n- 一\n- 二", True),
    "attributes on a heading": ("{.note}\n## 标题", True),
    "attributes with a style": ("{.a style=\"color:red\"}\n段落", True),
    "attributes of the theme's and others": ("{#attachment-1 .attachment-label .evil style=x tabindex=1}\n附件1", True),
    "attributes at the end": ("段落\n\n{.a}", False),
    "unclosed container": ("::: signature\n甲\n", False),
    "close without open": (":::\n甲", False),
    "nested with equal marks": ("::: attachment\n甲\n\n::: attachments\n附件:\n\n- 一\n:::\n:::", False),
    "nested with longer outer marks": (":::: attachment\n甲\n\n::: attachments\n附件:\n\n- 一\n:::\n::::", True),
    "empty container": ("::: signature\n:::\n段落", True),
    "a list up to a container's end": ("::: attachments\n- 一\n- 二\n:::", True),
    "emphasis left open across a container's end": ("::: signature\n**甲\n:::\n乙**", True),
    "a container's end in a fence": ("::: signature\n```\n码\n:::\n", False),
    "marks in a fence at the top": ("```\n::: signature\n{.x}\n```\n段落", False),
    "an attribute line in a fence": ("```\n{.x}\n```\n段落", True),
    "a table fence's line in a tilde fence": ("~~~\n{.x}\n```table\n~~~\n段落", True),
    "backticks that open inline code, not a fence": ("``` a`b ```\n段落", True),
    "merged-cell table": ("```table\n<table><tr><td rowspan=\"2\">甲</td><td>乙</td></tr>"
                          "<tr><td>丙</td></tr></table>\n```", True),
    "merged-cell table in a container": ("::: attachment\n```table\n<table><tr><td rowspan=\"2\">甲</td></tr>"
                                         "</table>\n```\n:::", True),
    "table fence after a paragraph": ("段落\n```table\n<table><tr><td>甲</td></tr></table>\n```", False),
    "table fence after a blank line": ("段落\n\n```table\n<table><tr><td>甲</td></tr></table>\n```", True),
    "unclosed table fence": ("```table\n<table><tr><td>甲</td></tr></table>", False),
    # A container's end is found before its text is read, so a table inside cannot take it in.
    "pipe table, then a container's end": ("::: attachment\n| a | b |\n| --- | --- |\n| 1 | 2 |\n:::", True),
    "pipe table, then an outer container's end": (":::: document\n::: attachment\n| a |\n| --- |\n| 1 |\n:::\n::::",
                                                   True),
    "pipe table, a blank line, a container's end": ("::: attachment\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n:::",
                                                    True),
    "pipe table, then a list": ("| a | b |\n| --- | --- |\n| 1 | 2 |\n3) 项", False),
    "pipe table, a blank line, a list": ("| a | b |\n| --- | --- |\n| 1 | 2 |\n\n3) 项", True),
    "container after a table row": ("| a |\n| --- |\n| 1 |\n::: signature\n甲\n:::", False),
    "container after a table and a blank line": ("| a |\n| --- |\n| 1 |\n\n::: signature\n甲\n:::", True),
    "raw HTML in a pipe table": ("| <b>a</b> | b |\n| --- | --- |\n| <script>1</script> | 2 |", True),
    "link reference": ("[参考]: http://example.com\n\n见[参考]。", False),
    "raw HTML is text": ("<script>alert(1)</script>\n\n段落 <b>粗</b>", True),
    "indented marks": ("  ::: signature\n甲\n  :::", False),
    "block quote with a table": ("> 引\n| a | b |\n| --- | --- |", False),
    "empty": ("", True),
}


@pytest.mark.parametrize(("text", "fast"), CASES.values(), ids=CASES.keys())
def test_unusual_bodies_render_as_the_reference(text: str, fast: bool) -> None:
    """Each body takes the path its case names; where that is the fast path, its HTML is the
    reference renderer's (elsewhere render_markdown calls the reference renderer itself)."""
    html = fast_html(text)
    assert (html is not None) == fast, "taken by the fast path" if html is not None else "left to the reference"
    if html is not None:
        assert html == REFERENCE.render(text)


def test_random_bodies_render_as_the_reference() -> None:
    rng = random.Random(9704)
    fast = 0
    for _ in range(3000):
        text = "\n".join(rng.choice(LINES) for _ in range(rng.randrange(1, 14)))
        assert render_markdown(text) == REFERENCE.render(text), text
        fast += fast_html(text) is not None
    assert fast > 300  # the comparison covers the fast path, not only the fallback


def test_normalised_bodies_take_the_fast_path(normalized_seeds: Path) -> None:
    files = sorted((normalized_seeds / "content/notices").glob("*.md"))
    assert files
    for file in files:
        _, body = read_notice(file)
        assert fast_html(body) == REFERENCE.render(body), file


def test_nested_container_marks_render_as_nested_sections() -> None:
    html = render_markdown(CASES["nested with longer outer marks"][0])
    assert html.startswith('<div class="attachment">\n<p>甲</p>\n<div class="attachments">')
    assert html.endswith("</ul>\n</div>\n</div>\n") and ":::" not in html
