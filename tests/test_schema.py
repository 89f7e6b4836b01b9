"""builder/schema.py describes every field once, and every stage agrees with it."""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import re
import tokenize
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import pytest
import yaml

from builder import schema
from builder.config import SiteConfig
from builder.content import parse_notice
from builder.errors import GongkaiError, field_name
from builder.i18n import CHINESE, ENGLISH, use, use_for_content
from builder.model import Attachment, Change, Notice, Relation
from builder.normalize import normalize_bytes
from builder.normalize.decode import Line
from builder.normalize.emit import front_matter_markdown
from builder.normalize.metadata import extract
from builder.opendata import SCHEMA_NAME, record
from builder.schema import BY_KEY, FIELDS, TABLE
from builder.views import metadata_rows
from tests.helpers import REPO


@contextmanager
def speaking(language: str) -> Iterator[None]:
    use(language)
    try:
        yield
    finally:
        use(ENGLISH)


def test_every_notice_attribute_has_a_row_and_every_row_an_attribute() -> None:
    attributes = {f.name: f for f in dataclasses.fields(Notice)}
    assert set(attributes) == {*BY_KEY, *schema.NOT_IN_FRONT_MATTER}
    assert len(BY_KEY) == len(FIELDS)  # no key twice
    for spec in FIELDS:
        assert attributes[spec.key].type == spec.kind.python, spec.key


def test_rows_are_consistent() -> None:
    places = [spec.place for spec in FIELDS if spec.place is not None]
    assert len(places) == len(set(places))
    open_data = [spec.open_data for spec in FIELDS if spec.open_data is not None]
    assert len(open_data) == len(set(open_data))
    labels = [synonym for spec in FIELDS for synonym in spec.synonyms]
    assert len(labels) == len(set(labels)), "a portal's label read as two fields"
    for spec in FIELDS:
        assert set(spec.weak) | set(spec.prose) <= set(spec.synonyms), spec.key
        assert (spec.valid is None) == (not spec.synonyms), spec.key  # a label read needs a validator
        assert spec.label.strip() and spec.label == spec.label.strip()
    # Optional keys come last: front matter writes the others always, in one block.
    optional = [spec.optional for spec in FIELDS]
    assert optional == sorted(optional)


def every_field() -> Notice:
    """A notice with a value in every field, each as its kind is written."""
    return Notice(
        title="关于开展检查的通知", index_no="000000-2024-0001", doc_no="示教〔2024〕1号", publisher="示例局",
        category="教育", written="2024-02-21", published="2024-02-23T09:39:00+08:00", effective="2024-03-01",
        expires="2026-03-01", validity="有效", doc_type="通知", addressee="各学校", signers=["示例局", "示例委"],
        signed="2024-02-21", disclosure="主动公开",
        attachments=[Attachment(1, "名单", True), Attachment(2, "表格", False, url="https://example.gov.cn/a.pdf")],
        tags=["教育", "检查"], extra={"主题词": "教育 检查", "联合发文单位": "示例委"}, source="seeds/000.txt",
        inferred=["publisher"], warnings=["一条提示"], page_meta=["published"],
        relations=[Relation("废止", "示教〔2020〕3号", "第五条", "2024-03-01")],
        changes=[Change("2024-03-05", "更正附件")], draft=True, body="正文。\n", slug="every-field")


def test_writing_and_reading_round_trip_every_field() -> None:
    notice = every_field()
    for spec in FIELDS:  # the notice above leaves no field empty, so the test covers each
        assert getattr(notice, spec.key) not in (None, "", [], {}, False), spec.key
    text = front_matter_markdown(notice)
    read = parse_notice(text, "content/notices/every-field.md", "every-field")
    assert read == dataclasses.replace(notice, body="\n" + (notice.body or ""))  # a blank line parts them
    assert list(yaml.safe_load(text.split("---\n")[1])) == list(BY_KEY)  # every key, in the schema's order


def test_empty_optional_fields_are_not_written() -> None:
    text = front_matter_markdown(Notice(title="通知", body=""))
    assert list(yaml.safe_load(text.split("---\n")[1])) == [spec.key for spec in FIELDS if not spec.optional]


@pytest.mark.parametrize("spec", FIELDS, ids=lambda spec: spec.key)
def test_a_field_of_the_wrong_kind_is_named_in_its_error(spec: schema.NoticeField) -> None:
    wrong = "[1, [2]]" if spec.kind in (schema.TEXT, *schema.DATES, schema.LABELLED, schema.FLAG) else "5"
    with pytest.raises(GongkaiError) as raised:
        parse_notice(f"---\n{'' if spec.key == 'title' else 'title: 通知'}\n{spec.key}: {wrong}\n---\n", "n.md", "n")
    assert {problem.field for problem in raised.value.problems} == {spec.key}  # a title also lacks one


@pytest.mark.parametrize("spec", FIELDS, ids=lambda spec: spec.key)
def test_error_messages_name_a_field_by_its_label(spec: schema.NoticeField) -> None:
    with speaking(CHINESE):
        assert field_name(spec.key) == f"{spec.label}（{spec.key}）"
        assert field_name(f"{spec.key}[0].date") == f"{spec.label}（{spec.key}[0].date）"
    assert field_name(spec.key) == spec.key


def test_every_label_of_the_metadata_table_comes_from_the_schema() -> None:
    config = SiteConfig(publisher_label="发文机关")
    rows = metadata_rows(every_field(), config)
    fields = [row for row in rows if row.key != "extra"]
    assert [row.key for row in fields] == [spec.key for spec in TABLE]  # every row, in the schema's order
    for row in fields:
        assert row.label == (config.publisher_label if row.key == "publisher" else BY_KEY[row.key].label)
    assert [(row.label, row.value) for row in rows if row.key == "extra"] == list(every_field().extra.items())
    # A row not shown empty is left out without a value; the others say so.
    bare = metadata_rows(Notice(title="通知"), config)
    assert [row.key for row in bare] == [spec.key for spec in TABLE if spec.shown_empty]


def test_the_topic_tags_stand_in_for_a_missing_category_under_the_tags_label() -> None:
    tags = BY_KEY["tags"]
    notice = dataclasses.replace(every_field(), category=None, extra={})
    assert [(r.label, r.key) for r in metadata_rows(notice, SiteConfig()) if r.key == "tags"] == [(tags.label, "tags")]
    notice.extra = {tags.label: "教育"}  # a portal's own row holds the label: the tags take the other
    assert [r.label for r in metadata_rows(notice, SiteConfig()) if r.key == "tags"] == [tags.alternate]


def test_open_data_writes_the_schemas_fields_in_its_order() -> None:
    data = record(every_field(), SiteConfig(), None)
    assert list(data) == ["url", *schema.OPEN_DATA]
    published = json.loads(resources.files("builder").joinpath("data", SCHEMA_NAME).read_text(encoding="utf-8"))
    properties = published["$defs"]["notice"]["properties"]
    assert list(properties) == published["$defs"]["notice"]["required"] == list(data)
    described = {key: properties[key]["description"] for key in schema.OPEN_DATA}
    assert all(text.startswith(BY_KEY[key].label) for key, text in described.items() if not text[0].isascii())


def test_the_normaliser_reads_each_portal_label_as_its_field() -> None:
    for spec in FIELDS:
        for label in spec.synonyms:
            value = {schema.TEXT: "示例", schema.DATE: "2024-02-21", schema.MOMENT: "2024-02-21"}.get(spec.kind, "示例")
            pairs = extract([Line(1, f"{label}：{value}")]).pairs
            assert [(pair.key, pair.label, pair.value) for pair in pairs] == [(spec.key, label, value)], label


@pytest.mark.parametrize(("language", "said"), [(ENGLISH, "no {label} ({key}) found; left empty"),
                                                (CHINESE, "没有找到{label}（{key}）；留空")])
def test_normalize_warns_of_each_expected_field_it_misses_by_its_label(language: str, said: str) -> None:
    text = "各学校：\n\n为做好检查工作，现将有关事项通知如下。请各校按要求认真落实，确保工作取得实效。\n"
    use_for_content(language)  # content files are written in the site's language, whoever runs normalize
    try:
        notice = normalize_bytes(text.encode("utf-8"), "raw/n.txt", SiteConfig().tags).notice
    finally:
        use_for_content(ENGLISH)
    missing = [spec for spec in FIELDS if spec.expected and getattr(notice, spec.key) in (None, "")]
    assert missing  # the text states none of them
    for spec in missing:
        assert said.format(label=spec.label, key=spec.key) in notice.warnings


# The labels no code but the schema's may spell: every field's, save those that are also
# ordinary words the code uses in their own sense. 标题 is any title (an interpretation's, the
# page's); 附件 an attachment as documents print it (附件1, 附件说明, 附件下载, which the
# normaliser reads); 落款 the printed signature block the normaliser finds; 来源 and 草稿 a source
# and a draft. The tags' alternate label, 主题, is a topic or a theme as well, so it is not a
# field's name either. 落款日期 stays checked, so the signature's date is still caught.
ORDINARY_WORDS = {"标题", "附件", "落款", "来源", "草稿"}
CHECKED = sorted({spec.label for spec in FIELDS if len(spec.label) >= 2} - ORDINARY_WORDS)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def _prose_lines(source: str) -> set[int]:
    """The first lines of string statements (docstrings and their like): prose about the code,
    which names a field as a reader knows it."""
    return {node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)}


def _code_strings(path: Path) -> Iterator[tuple[int, str]]:
    """Each string literal of a module (an f-string's text too) with the line it starts on;
    comments are no tokens of the kind."""
    source = path.read_text(encoding="utf-8")
    prose = _prose_lines(source)
    literal = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}  # f-strings split from 3.12
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in literal and token.start[0] not in prose:
            yield token.start[0], token.string


def _template_lines(path: Path) -> Iterator[tuple[int, str]]:
    """A template's lines as pages get them: a Jinja comment is blanked, its lines kept."""
    text = JINJA_COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), path.read_text(encoding="utf-8"))
    yield from enumerate(text.splitlines(), start=1)


def _spelt(path: Path, texts: Iterator[tuple[int, str]]) -> list[str]:
    """Each checked label in these texts, at its own line (a literal may span many)."""
    return [f"{path.relative_to(REPO)}:{start + text[:text.index(label)].count(chr(10))}: {label}"
            for start, text in texts for label in CHECKED if label in text]


def test_a_fields_label_is_spelt_in_the_schema_alone() -> None:
    assert {"索引号", "发文字号", "发布机构", "成文日期", "发布日期", "有效性", "主题词"} <= set(CHECKED)
    assert _spelt(REPO / "builder/schema.py", _code_strings(REPO / "builder/schema.py"))  # the scan sees them
    modules = [path for path in sorted((REPO / "builder").rglob("*.py")) if path != REPO / "builder/schema.py"]
    spelt = [hit for path in modules for hit in _spelt(path, _code_strings(path))]
    spelt += [hit for path in sorted((REPO / "theme/templates").glob("*.html"))
              for hit in _spelt(path, _template_lines(path))]
    # The pages' scripts say what the page gives them (the search status in the site's words).
    spelt += [hit for path in sorted((REPO / "theme/static").glob("*.js"))
              for hit in _spelt(path, enumerate(path.read_text(encoding="utf-8").splitlines(), start=1))]
    assert spelt == [], "labels spelt outside builder/schema.py (take them from schema.LABEL):\n" + "\n".join(spelt)
