"""site.yaml → a validated SiteConfig; every error names the key and its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from builder.errors import GongkaiError, Problem, system_reason
from builder.i18n import N_, _
from builder.schema import LABEL
from builder.slugs import SLUG_RULE, plain_slug
from builder.untrusted import compose, construct

SITE_FILE = "site.yaml"


@dataclass(frozen=True)
class Topic:
    """A topic of the tag vocabulary (主题分类): its name, the folder of its page
    (topics/<slug>/), and the words that earn a notice its tag."""

    name: str
    slug: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class TagRules:
    """How the normaliser tags notices with topics: the vocabulary, and how much a body must
    say of a topic to earn its tag."""

    vocabulary: tuple[Topic, ...]
    min_body_hits: int = 5  # body mentions that earn a tag not named in title or category
    max_tags: int = 5


@dataclass(frozen=True)
class Agency:
    """One publishing body and the other names its notices give it (泉州市鲤城区教育局 /
    鲤城区教育局): one publisher page, one feed and one filter entry for all of them."""

    name: str
    aliases: tuple[str, ...] = ()


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
    """site.yaml's `feeds`: how many items each feed holds, and whether an item carries the
    whole notice."""

    limit: int = 50  # items per feed, newest first
    full_content: bool = False  # the whole body in each item, not only its first paragraph


@dataclass(frozen=True)
class Inspection:
    """Thresholds and shapes of `gongkai check`'s inspection (README: each default's source)."""

    home_days: int = 14  # the newest notice may be this old (首页两周未更新: 单项否决)
    column_days: int = 180  # a column's newest notice may be this old (政策文件类栏目六个月未更新)
    stale_columns: int = 5  # more stale columns than this fail the site
    empty_columns: int = 5  # more empty columns than this fail the site (空白栏目超过5个)
    # 索引号: an agency code (9-digit 组织机构代码, 18-character 统一社会信用代码 or a local one),
    # then parts such as a category, the year and a serial, joined by / - _ or .
    index_no_pattern: str = r"[A-Za-z0-9]{2,40}(?:[-/_.][A-Za-z0-9]{1,20}){0,5}"
    # 发文字号: 机关代字〔年份〕序号号; a 公告's 2024年第3号; a 令's 第706号
    doc_no_pattern: str = (r"[\u3400-\u9fffA-Za-z0-9]{1,20}〔(?:19|20)\d{2}〕第?\d{1,5}号"
                           r"|\S{0,20}(?:19|20)\d{2}年第\d{1,5}号|\S{0,20}令第\d{1,5}号")
    site_code_pattern: str = r"[0-9]{10}|[A-Za-z]{2}[0-9]{8}"  # 网站标识码: ten characters
    icp_pattern: str = r"[\u3400-\u9fff]ICP备\d{8}号(?:-\d{1,3})?"  # 京ICP备05070602号-1
    police_pattern: str = r"[\u3400-\u9fff]公网安备\s?\d{14}号"  # 京公网安备 11010202000001号


@dataclass(frozen=True)
class DeployTarget:
    """Where `gongkai deploy NAME` publishes: a web root here (dir) or a server over SSH (rsync)."""

    name: str
    type: str  # "dir" or "rsync"
    path: str  # dir: the folder holding releases/ and the `current` link; rsync: that folder on the server
    host: str | None = None  # rsync: [user@]host
    port: int = 22
    identity: str | None = None  # rsync: the SSH key to log in with
    known_hosts: str | None = None  # rsync: a known_hosts file (default: the user's)
    keep: int = 5  # releases kept, the live one included
    url: str | None = None  # the address the site is served at, if not base_url


@dataclass(frozen=True)
class SiteConfig:
    """site.yaml, checked: what every page shows of the site (title, footer, feeds), how
    notices are grouped and tagged, where the site is deployed and how it is inspected; each
    setting with its default."""

    title: str = "政府信息公开"
    base_url: str = "http://localhost:8000/"
    language: str = "zh-CN"
    publisher_label: str = LABEL["publisher"]  # a site may call its publishers otherwise (发文机关)
    column_name: str = "政府信息公开"  # the ColumnName meta tag of notice pages
    page_size: int = 20
    home_count: int = 10
    search: bool = True  # a Pagefind index and a 搜索 page
    footer: Footer = field(default_factory=Footer)
    feeds: Feeds = field(default_factory=Feeds)
    tags: TagRules = field(default_factory=lambda: TagRules(default_vocabulary()))
    publishers: tuple[Agency, ...] = ()
    deploy: tuple[DeployTarget, ...] = ()
    inspection: Inspection = field(default_factory=Inspection)
    # The day statuses are judged against (build --as-of); None: the newest date in the
    # content, so the same content always gives the same site.
    as_of: str | None = None
    sitemap_max_urls: int = 50_000  # the sitemaps.org protocol's limit; a host may ask for less
    # A Dask scheduler to build on (build --cluster, or build.cluster); where the build runs
    # changes no byte of the site, so it is no part of what pages are keyed on.
    cluster: str | None = field(default=None, repr=False, compare=False)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. /xxgk/."""
        path = urlsplit(self.base_url).path.strip("/")
        return f"/{path}/" if path else "/"

    @property
    def domain(self) -> str:
        """The host the site is served from, for the SiteDomain meta tag a government site's
        pages carry."""
        return urlsplit(self.base_url).netloc

    def absolute(self, path: str) -> str:
        """The full URL of a site path such as notices/x/."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


# key → (type, required); nested mappings are schemas of their own.
TOPIC_SCHEMA: dict[str, tuple[type, bool]] = {"name": (str, True), "slug": (str, True), "words": (list, True)}
AGENCY_SCHEMA: dict[str, tuple[type, bool]] = {"name": (str, True), "aliases": (list, False)}
TAGS_SCHEMA: dict[str, Any] = {"vocabulary": (list, False), "min_body_hits": (int, False), "max_tags": (int, False)}
FOOTER_SCHEMA: dict[str, Any] = {name: (str, False) for name in ("sponsor", "contact", "site_code", "icp", "police")}
FEEDS_SCHEMA: dict[str, Any] = {"limit": (int, False), "full_content": (bool, False)}
INSPECTION_SCHEMA: dict[str, Any] = {
    **{name: (int, False) for name in ("home_days", "column_days", "stale_columns", "empty_columns")},
    **{name: (str, False) for name in ("index_no_pattern", "doc_no_pattern", "site_code_pattern", "icp_pattern",
                                       "police_pattern")}}
TARGET_SCHEMA: dict[str, Any] = {"type": (str, True), "path": (str, False), "dest": (str, False), "port": (int, False),
                                 "identity": (str, False), "known_hosts": (str, False), "keep": (int, False),
                                 "url": (str, False)}
# An absolute path of plain names: no `..`, no shell or option characters.
SAFE_PATH = re.compile(r"^/(?:[A-Za-z0-9._+@-]+/?)*$")
# rsync's user@host:/path, with the same plain characters.
RSYNC_DEST = re.compile(r"^(?P<host>(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+):(?P<path>/.*)$")
SYSTEM_FOLDERS = ("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/root", "/sbin", "/sys", "/usr", "/var")
SITE_SCHEMA: dict[str, Any] = {
    "title": (str, True),
    "base_url": (str, True),
    "language": (str, False),
    "publisher_label": (str, False),
    "column_name": (str, False),
    "page_size": (int, False),
    "home_count": (int, False),
    "search": (bool, False),
    "sitemap_max_urls": (int, False),
    "footer": (dict, False),
    "feeds": (dict, False),
    "tags": (dict, False),
    "publishers": (list, False),
    "deploy": (dict, False),
    "inspection": (dict, False),
    "build": (dict, False),
}
BUILD_SCHEMA: dict[str, Any] = {"cluster": (str, False)}
# A Dask scheduler's address: tcp://scheduler:8786, tls://…
SCHEDULER = re.compile(r"(?:tcp|tls|ucx|inproc)://[^\s/]+")


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, message, node.start_mark.line + 1, key))

    def mapping(self, node: yaml.Node, schema: dict[str, Any], path: str) -> dict[str, Any]:
        """The mapping's values by key, after checking keys and types against schema."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, path or "(top)", _("expected a mapping of keys"))
            return {}
        values: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = f"{path}.{key_node.value}" if path else key_node.value
            if key_node.value not in schema:
                self.fail(key_node, key, _("unknown key (known: {keys})").format(keys=", ".join(schema)))
                continue
            expected, _required = schema[key_node.value]
            value = construct(value_node)
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                self.fail(value_node, key, _("expected {expected}, got {kind}").format(expected=expected.__name__,
                                                                                kind=type(value).__name__))
                continue
            values[key_node.value] = value
            values[f"{key_node.value}@node"] = value_node
        for name, (_type, required) in schema.items():
            if required and name not in values:
                self.fail(node, f"{path}.{name}" if path else name, _("required key is missing"))
        return values

    def section(self, values: dict[str, Any], key: str, schema: dict[str, Any]) -> dict[str, Any]:
        """The checked values of a nested mapping such as `footer:`, or {} when it is absent."""
        if key not in values:
            return {}
        return {k: v for k, v in self.mapping(values[f"{key}@node"], schema, key).items() if "@" not in k}


def _topics(checker: _Checker, node: yaml.SequenceNode, path: str) -> tuple[Topic, ...]:
    """The topics; a slug is a folder of the site (topics/<slug>/), so it must be a plain
    one, and each topic's own."""
    topics = []
    owners: dict[str, str] = {}
    for index, item in enumerate(node.value):
        key = f"{path}[{index}]"
        values = checker.mapping(item, TOPIC_SCHEMA, key)
        if not {"name", "slug", "words"} <= values.keys():
            continue
        slug = values["slug"]
        if not plain_slug(slug):
            checker.fail(values["slug@node"], f"{key}.slug",
                         _("{slug}: expected {rule}").format(slug=repr(slug[:60]), rule=_(SLUG_RULE)))
        elif slug in owners:
            checker.fail(values["slug@node"], f"{key}.slug",
                         _("{slug} is the slug of {other} too: each topic needs a folder of its own").format(
                             slug=slug, other=owners[slug]))
        else:
            owners[slug] = key
            topics.append(Topic(values["name"], slug, tuple(str(w) for w in values["words"])))
    return tuple(topics)


def _agencies(checker: _Checker, node: yaml.Node) -> tuple[Agency, ...]:
    """The publishers table; each name, or alias, belongs to one agency."""
    if not isinstance(node, yaml.SequenceNode):
        checker.fail(node, "publishers", _("expected a list of {{name, aliases}}"))
        return ()
    agencies: list[Agency] = []
    owners: dict[str, str] = {}
    for index, item in enumerate(node.value):
        key = f"publishers[{index}]"
        values = checker.mapping(item, AGENCY_SCHEMA, key)
        names = [values.get("name"), *values.get("aliases", [])]
        if not all(isinstance(name, str) and name.strip() for name in names):
            checker.fail(item, key, _("expected a name and aliases that are non-empty text"))
            continue
        taken = next((name for name in names if name in owners), None)
        if taken:
            checker.fail(item, key, _("{name} is already a name of {other}: a name belongs to one agency").format(
                name=taken, other=owners[taken]))
            continue
        owners.update(dict.fromkeys(names, key))
        agencies.append(Agency(names[0], tuple(names[1:])))
    return tuple(agencies)


def _safe_path(path: str) -> bool:
    parts = path.split("/")
    return bool(SAFE_PATH.match(path)) and ".." not in parts and "." not in parts[1:-1] \
        and path.rstrip("/") not in SYSTEM_FOLDERS and path.rstrip("/") != ""


def _targets(checker: _Checker, node: yaml.Node) -> tuple[DeployTarget, ...]:
    targets = []
    if not isinstance(node, yaml.MappingNode):
        checker.fail(node, "deploy", _("expected a mapping of target names to targets"))
        return ()
    for name_node, target_node in node.value:
        key = f"deploy.{name_node.value}"
        values = checker.mapping(target_node, TARGET_SCHEMA, key)
        kind = values.get("type")
        where = values.get("path") if kind == "dir" else values.get("dest")
        if kind not in ("dir", "rsync"):
            if "type" in values:
                checker.fail(values["type@node"], f"{key}.type", _("expected dir or rsync"))
            continue
        field_name = "path" if kind == "dir" else "dest"
        if where is None:
            checker.fail(target_node, f"{key}.{field_name}", _("required for type {kind}").format(kind=kind))
            continue
        host, path = None, where
        if kind == "rsync":
            match = RSYNC_DEST.match(where)
            host, path = (match["host"], match["path"]) if match else (None, "")
        identity = values.get("identity") or ""
        if (kind == "rsync" and host is None) or not _safe_path(path):
            checker.fail(values[f"{field_name}@node"], f"{key}.{field_name}",
                         _("expected an absolute folder of plain names (letters, digits, . _ - + @), not a system "
                           "folder") if kind == "dir" else
                         _("expected user@host:/absolute/folder of plain names (letters, digits, . _ - + @), not a "
                           "system folder"))
            continue
        if re.search(r"[\s'\"\\]", identity + (values.get("known_hosts") or "")):
            checker.fail(target_node, f"{key}.identity", _("key and known_hosts paths must not hold spaces or quotes"))
            continue
        if values.get("keep", 5) < 2:
            checker.fail(values["keep@node"], f"{key}.keep",
                         _("expected 2 or more (the live release and one to roll back to)"))
            continue
        if "url" in values and base_url_problem(values["url"]):
            checker.fail(values["url@node"], f"{key}.url", str(base_url_problem(values["url"])))
            continue
        targets.append(DeployTarget(str(name_node.value), kind, path.rstrip("/") or "/", host, values.get("port", 22),
                                    values.get("identity"), values.get("known_hosts"), values.get("keep", 5),
                                    values.get("url")))
    return tuple(targets)


# Characters no base URL holds: spaces and control characters (a line end would split
# robots.txt), and those a URL must escape, which could end an attribute or a tag.
NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f\"'<>\\^`{|}]")
ABSOLUTE_URL = N_("expected an absolute http(s) URL such as https://example.gov.cn/")


def base_url_problem(url: str) -> str | None:
    """What is wrong with a site's address (base_url, --base-url, a target's url), or None."""
    if NOT_IN_URL.search(url):
        return _("a space, control character, quote or one of <>\\^`{{|}} has no place in a site's address")
    try:
        parts = urlsplit(url)
    except ValueError:  # a host in brackets that never close
        return _(ABSOLUTE_URL)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _(ABSOLUTE_URL)
    if "?" in url or "#" in url:
        return _("a site's address has no ?query or #fragment: every page's address is made by adding to it")
    return None


def with_slash(url: str) -> str:
    """The base URL as pages join paths to it: ending in /."""
    return url if url.endswith("/") else url + "/"


def default_vocabulary() -> tuple[Topic, ...]:
    """The topics notices are tagged with when site.yaml gives none
    (builder/data/vocabulary.yaml), each with the words that suggest it."""
    text = (Path(__file__).parent / "data" / "vocabulary.yaml").read_text(encoding="utf-8")
    return tuple(Topic(t["name"], t["slug"], tuple(t["words"])) for t in yaml.safe_load(text))


def _inspection(checker: _Checker, values: dict[str, Any]) -> Inspection:
    """The inspection's settings; a count below zero or a pattern Python cannot read is an error."""
    if "inspection" not in values:
        return Inspection()
    found = checker.mapping(values["inspection@node"], INSPECTION_SCHEMA, "inspection")
    for key, value in found.items():
        if "@" in key:
            continue
        node = found[f"{key}@node"]
        if isinstance(value, int) and value < 0:
            checker.fail(node, f"inspection.{key}", _("expected zero or a positive whole number"))
        elif isinstance(value, str):
            try:
                re.compile(value)
            except re.error as err:
                checker.fail(node, f"inspection.{key}", _("not a regular expression: {reason}").format(reason=err))
    return Inspection(**{k: v for k, v in found.items() if "@" not in k})


def parse_config(text: str, file: str) -> SiteConfig:
    """site.yaml's text as a SiteConfig. Every mistake is reported at once (one
    GongkaiError), each naming its key and line, so an editor fixes them in one go."""
    root = compose(text, file)
    if root is None:
        raise GongkaiError(Problem(file, _("empty configuration")))
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
    deploy = _targets(checker, values["deploy@node"]) if "deploy" in values else ()
    publishers = _agencies(checker, values["publishers@node"]) if "publishers" in values else ()
    feeds = Feeds(**checker.section(values, "feeds", FEEDS_SCHEMA))
    inspection = _inspection(checker, values)
    cluster = checker.section(values, "build", BUILD_SCHEMA).get("cluster")
    if cluster is not None and not SCHEDULER.fullmatch(cluster):
        checker.fail(values["build@node"], "build.cluster", _("expected a Dask scheduler's address such as "
                                                             "tcp://scheduler:8786"))
    if feeds.limit < 1:
        checker.fail(values["feeds@node"], "feeds.limit", _("expected a positive whole number"))
    if "base_url" in values and base_url_problem(values["base_url"]):
        checker.fail(values["base_url@node"], "base_url", str(base_url_problem(values["base_url"])))
    if not 1 <= values.get("sitemap_max_urls", 1) <= 50_000:
        checker.fail(values["sitemap_max_urls@node"], "sitemap_max_urls", _("expected a whole number from 1 to 50000"))
    for key in ("page_size", "home_count"):
        if key in values and values[key] < 1:
            checker.fail(values[f"{key}@node"], key, _("expected a positive whole number"))
    if checker.problems:
        raise GongkaiError(*checker.problems)
    plain = {k: v for k, v in values.items()
             if "@" not in k and k not in ("tags", "footer", "feeds", "deploy", "publishers", "inspection", "build")}
    if "base_url" in plain:
        plain["base_url"] = with_slash(plain["base_url"])
    return SiteConfig(**plain, tags=tag_rules, footer=footer, feeds=feeds, publishers=publishers, deploy=deploy,
                      inspection=inspection, cluster=cluster)


def load_config(root: Path, required: bool = False) -> SiteConfig:
    """The site's configuration; defaults when the folder has no site.yaml and none is required."""
    path = root / SITE_FILE
    if not path.exists():
        if required:
            raise GongkaiError(Problem(SITE_FILE, _("not found in {folder}: run gongkai from the site's root folder")
                                       .format(folder=root)))
        return SiteConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes().count(b"\n", 0, err.start) + 1
        raise GongkaiError(Problem(SITE_FILE, _("not UTF-8 text; save it as UTF-8"), line)) from None
    except OSError as err:
        raise GongkaiError(Problem(SITE_FILE, _("cannot read: {reason}").format(reason=system_reason(err)))) from None
    return parse_config(text, SITE_FILE)
