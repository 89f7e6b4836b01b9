"""site.yaml → a validated SiteConfig; every error names the key and its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from builder.errors import GongkaiError, Problem

SITE_FILE = "site.yaml"


@dataclass(frozen=True)
class Topic:
    name: str
    slug: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class TagRules:
    vocabulary: tuple[Topic, ...]
    min_body_hits: int = 5  # body mentions that earn a tag not named in title or category
    max_tags: int = 5


@dataclass(frozen=True)
class Footer:
    """Facts a conformant government site shows in its footer; never taken from notices."""

    sponsor: str | None = None  # 主办单位
    contact: str | None = None  # 联系方式
    site_code: str | None = None  # 网站标识码
    icp: str | None = None  # ICP备案号
    police: str | None = None  # 公网安备


@dataclass(frozen=True)
class Feeds:
    limit: int = 50  # items per feed, newest first
    full_content: bool = False  # the whole body in each item, not only its first paragraph


@dataclass(frozen=True)
class SiteConfig:
    title: str = "政府信息公开"
    base_url: str = "http://localhost:8000/"
    language: str = "zh-CN"
    publisher_label: str = "发布机构"
    column_name: str = "政府信息公开"  # the ColumnName meta tag of notice pages
    page_size: int = 20
    home_count: int = 10
    search: bool = True  # a Pagefind index and a 搜索 page
    footer: Footer = field(default_factory=Footer)
    feeds: Feeds = field(default_factory=Feeds)
    tags: TagRules = field(default_factory=lambda: TagRules(default_vocabulary()))

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. /xxgk/."""
        path = urlsplit(self.base_url).path.strip("/")
        return f"/{path}/" if path else "/"

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).netloc

    def absolute(self, path: str) -> str:
        """The full URL of a site path such as notices/x/."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


# key → (type, required); nested mappings are schemas of their own.
TOPIC_SCHEMA: dict[str, tuple[type, bool]] = {"name": (str, True), "slug": (str, True), "words": (list, True)}
TAGS_SCHEMA: dict[str, Any] = {"vocabulary": (list, False), "min_body_hits": (int, False), "max_tags": (int, False)}
FOOTER_SCHEMA: dict[str, Any] = {name: (str, False) for name in ("sponsor", "contact", "site_code", "icp", "police")}
FEEDS_SCHEMA: dict[str, Any] = {"limit": (int, False), "full_content": (bool, False)}
SITE_SCHEMA: dict[str, Any] = {
    "title": (str, True),
    "base_url": (str, True),
    "language": (str, False),
    "publisher_label": (str, False),
    "column_name": (str, False),
    "page_size": (int, False),
    "home_count": (int, False),
    "search": (bool, False),
    "footer": (dict, False),
    "feeds": (dict, False),
    "tags": (dict, False),
}


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, message, node.start_mark.line + 1, key))

    def mapping(self, node: yaml.Node, schema: dict[str, Any], path: str) -> dict[str, Any]:
        """The mapping's values by key, after checking keys and types against schema."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, path or "(top)", "expected a mapping of keys")
            return {}
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = f"{path}.{key_node.value}" if path else key_node.value
            if key_node.value not in schema:
                self.fail(key_node, key, f"unknown key (known: {', '.join(schema)})")
                continue
            expected, _ = schema[key_node.value]
            value = yaml.safe_load(yaml.serialize(value_node))
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                self.fail(value_node, key, f"expected {expected.__name__}, got {type(value).__name__}")
                continue
            values[key_node.value] = value
            values[f"{key_node.value}@node"] = value_node
        for name, (_, required) in schema.items():
            if required and name not in values:
                self.fail(node, f"{path}.{name}" if path else name, "required key is missing")
        return values

    def section(self, values: dict[str, Any], key: str, schema: dict[str, Any]) -> dict[str, Any]:
        """The checked values of a nested mapping such as `footer:`, or {} when it is absent."""
        if key not in values:
            return {}
        return {k: v for k, v in self.mapping(values[f"{key}@node"], schema, key).items() if "@" not in k}


def _topics(checker: _Checker, node: yaml.SequenceNode, path: str) -> tuple[Topic, ...]:
    topics = []
    for index, item in enumerate(node.value):
        values = checker.mapping(item, TOPIC_SCHEMA, f"{path}[{index}]")
        if {"name", "slug", "words"} <= values.keys():
            topics.append(Topic(values["name"], values["slug"], tuple(str(w) for w in values["words"])))
    return tuple(topics)


def default_vocabulary() -> tuple[Topic, ...]:
    text = resources.files("builder").joinpath("data/vocabulary.yaml").read_text(encoding="utf-8")
    return tuple(Topic(t["name"], t["slug"], tuple(t["words"])) for t in yaml.safe_load(text))


def parse_config(text: str, file: str) -> SiteConfig:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise GongkaiError(Problem(file, f"invalid YAML: {getattr(err, 'problem', err)}", line)) from None
    if root is None:
        raise GongkaiError(Problem(file, "empty configuration"))
    checker = _Checker(file)
    values = checker.mapping(root, SITE_SCHEMA, "")
    tag_rules = TagRules(default_vocabulary())
    if "tags" in values:
        tags = checker.mapping(values["tags@node"], TAGS_SCHEMA, "tags")
        vocabulary = (_topics(checker, tags["vocabulary@node"], "tags.vocabulary")
                      if "vocabulary" in tags else tag_rules.vocabulary)
        tag_rules = TagRules(vocabulary, tags.get("min_body_hits", tag_rules.min_body_hits),
                             tags.get("max_tags", tag_rules.max_tags))
    footer = Footer(**checker.section(values, "footer", FOOTER_SCHEMA))
    feeds = Feeds(**checker.section(values, "feeds", FEEDS_SCHEMA))
    if feeds.limit < 1:
        checker.fail(values["feeds@node"], "feeds.limit", "expected a positive whole number")
    url = urlsplit(values.get("base_url", ""))
    if "base_url" in values and (url.scheme not in ("http", "https") or not url.netloc):
        checker.fail(values["base_url@node"], "base_url", "expected an absolute http(s) URL such as https://example.gov.cn/")
    for key in ("page_size", "home_count"):
        if key in values and values[key] < 1:
            checker.fail(values[f"{key}@node"], key, "expected a positive whole number")
    if checker.problems:
        raise GongkaiError(*checker.problems)
    plain = {k: v for k, v in values.items() if "@" not in k and k not in ("tags", "footer", "feeds")}
    if "base_url" in plain and not plain["base_url"].endswith("/"):
        plain["base_url"] += "/"
    return SiteConfig(**plain, tags=tag_rules, footer=footer, feeds=feeds)


def load_config(root: Path, required: bool = False) -> SiteConfig:
    """The site's configuration; defaults when the folder has no site.yaml and none is required."""
    path = root / SITE_FILE
    if not path.exists():
        if required:
            raise GongkaiError(Problem(SITE_FILE, f"not found in {root}: run gongkai from the site's root folder"))
        return SiteConfig()
    return parse_config(path.read_text(encoding="utf-8"), SITE_FILE)
