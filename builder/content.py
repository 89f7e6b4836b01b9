"""content/notices/*.md → validated Notices; every error names file, line and field."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from builder.dates import parse_date
from builder.errors import GongkaiError, Problem, system_reason
from builder.fsio import State
from builder.i18n import _
from builder.lifecycle import RELATION_TYPES
from builder.model import Attachment, Change, Notice, Relation
from builder.parallel import parallel_map
from builder.schema import ATTACHMENTS, BY_KEY, CHANGES, DATE, FLAG, LABELLED, MOMENT, RELATIONS, TEXT, TEXTS, Kind
from builder.untrusted import compose, construct, visible, web_address

NOTICES_DIR = "notices"
# A notice's file name is its URL: ASCII, and unique even on hosts that ignore case.
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
RELATION_KEYS = ("type", "target", "scope", "date")
CHANGE_KEYS = ("date", "note")


class _Reader:
    """Checks one file's front matter, collecting every problem rather than the first."""

    def __init__(self, file: str, folder: Path | None, root: Path | None) -> None:
        self.file = file
        self.folder, self.root = folder, root  # where attachment files are looked up, and their bound
        self.problems: list[Problem] = []
        # How each kind of field is read (builder/schema.py), each with its key, value and node.
        self.readers: dict[Kind, Callable[[str, Any, yaml.Node], Any]] = {
            TEXT: self.text, DATE: self.day, MOMENT: partial(self.day, keeps_time=True), TEXTS: self.strings,
            ATTACHMENTS: self.attachments, LABELLED: self.labelled, RELATIONS: self.relations,
            CHANGES: self.changes, FLAG: self.flag}

    def attachment_file(self, name: str, node: yaml.Node, key: str) -> bool:
        if self.folder is None or self.root is None:
            return True
        try:
            target = (self.folder / name).resolve()
            inside, found = target.is_relative_to(self.root.resolve()), target.is_file()
        except OSError as err:  # a name longer than the system allows, a link loop …
            self.fail(node, key, _("{name}…: not a usable file name ({reason})")
                      .format(name=name[:60], reason=system_reason(err)))
            return False
        if not inside:
            self.fail(node, key, _("{name} leaves content/: attachment files must be inside it").format(name=name))
        elif not found:
            self.fail(node, key, _("{name}: no such file beside the notice").format(name=name))
        else:
            return True
        return False

    def fail(self, node: yaml.Node | None, key: str, message: str, offset: int = 1) -> None:
        line = node.start_mark.line + 1 + offset if node is not None else None
        self.problems.append(Problem(self.file, message, line, key))

    def text(self, key: str, value: Any, node: yaml.Node) -> str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # a bare 2024 or 1.5 in a hand edit is still text
        self.fail(node, key, _("expected text, got {kind}").format(kind=type(value).__name__))
        return None

    def day(self, key: str, value: Any, node: yaml.Node, keeps_time: bool = False) -> str | None:
        if value is None:
            return None
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            self.fail(node, key, _("expected a date such as 2024-02-21, got {value}").format(value=_shown(value)))
            return None
        return parsed.iso() if keeps_time else parsed.day.isoformat()

    def strings(self, key: str, value: Any, node: yaml.Node) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.fail(node, key, _("expected a list of text"))
            return []
        return [str(v) for v in value]

    def labelled(self, key: str, value: Any, node: yaml.Node) -> dict[str, str]:
        if value is not None and not isinstance(value, dict):
            self.fail(node, key, _("expected a mapping of label: value"))
        return {str(k): str(v) for k, v in (value or {}).items()} if isinstance(value, dict) else {}

    def flag(self, key: str, value: Any, node: yaml.Node) -> bool:
        if not isinstance(value, bool):
            self.fail(node, key, _("expected true or false"))
        return value is True

    def attachments(self, name: str, value: Any, node: yaml.Node) -> list[Attachment]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(node, name, _("expected a list of {{number, title, inline}}"))
            return []
        result = []
        for index, (item, item_node) in enumerate(zip(value, node.value, strict=True)):
            key = f"{name}[{index}]"
            if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not item["title"]:
                self.fail(item_node, key, _("expected a mapping with a title"))
                continue
            unknown = set(item) - {"number", "title", "inline", "file", "url"}
            number, file, url = item.get("number"), item.get("file"), item.get("url")
            if unknown:
                self.fail(item_node, key,
                          _("unknown key {key} (known: number, title, inline, file, url)")
                          .format(key=sorted(unknown)[0]))
            elif number is not None and (not isinstance(number, int) or isinstance(number, bool)):
                self.fail(item_node, f"{key}.number", _("expected a whole number or null"))
            elif file is not None and not isinstance(file, str):
                self.fail(item_node, f"{key}.file", _("expected a file name"))
            elif url is not None and not (isinstance(url, str) and web_address(url)):
                self.fail(item_node, f"{key}.url", _("expected a web address (http, https or a relative path)"))
            elif file is None or self.attachment_file(file, item_node, f"{key}.file"):
                result.append(Attachment(number, item["title"], bool(item.get("inline", False)), file, url))
        return result

    def relations(self, name: str, value: Any, node: yaml.Node) -> list[Relation]:
        found = []
        for key, item, item_node in self.items(name, value, node, RELATION_KEYS):
            kind, target, scope = item.get("type"), item.get("target"), item.get("scope")
            day = self.day(f"{key}.date", item.get("date"), item_node)  # a problem of its own if unreadable
            if kind not in RELATION_TYPES:
                self.fail(item_node, f"{key}.type", _("expected one of {types}, got {value}")
                          .format(types="、".join(RELATION_TYPES), value=_shown(kind)))
            elif not isinstance(target, str) or not target.strip():
                self.fail(item_node, f"{key}.target", _("expected the other notice's {doc_no}, {index_no}, slug or "
                                                        "title").format(doc_no=BY_KEY["doc_no"].label,
                                                                        index_no=BY_KEY["index_no"].label))
            elif scope is not None and not isinstance(scope, str):
                self.fail(item_node, f"{key}.scope", _("expected text such as 第五条"))
            elif item.get("date") is None or day is not None:
                found.append(Relation(kind, target.strip(), scope, day))
        return found

    def changes(self, name: str, value: Any, node: yaml.Node) -> list[Change]:
        found = []
        for key, item, item_node in self.items(name, value, node, CHANGE_KEYS):
            note = item.get("note")
            day = self.day(f"{key}.date", item.get("date"), item_node)
            if item.get("date") is None:
                self.fail(item_node, f"{key}.date", _("expected the date of the change"))
            elif day is None:
                continue  # its date was unreadable: a problem already
            elif not isinstance(note, str) or not note.strip():
                self.fail(item_node, f"{key}.note", _("expected a one-line note of what changed"))
            else:
                found.append(Change(day, note.strip()))
        return found

    def items(self, name: str, value: Any, node: yaml.Node, known: tuple[str, ...]) \
            -> list[tuple[str, dict[str, Any], yaml.Node]]:
        """The mappings of a list such as `relations:`, each with its key and node; an item
        that is no mapping, or has a key not in `known`, is a problem."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(node, name, _("expected a list of {{{keys}}}").format(keys=", ".join(known)))
            return []
        found = []
        for index, (item, item_node) in enumerate(zip(value, node.value, strict=True)):
            key = f"{name}[{index}]"
            unknown = sorted(set(item) - set(known)) if isinstance(item, dict) else []
            if not isinstance(item, dict) or unknown:
                self.fail(item_node, key, _("unknown key {key}").format(key=unknown[0]) if unknown else
                          _("expected a mapping of {keys}").format(keys=", ".join(known)))
            else:
                found.append((key, item, item_node))
        return found


def _shown(value: Any) -> str:
    """A value as an error message quotes it: its start (an error line stays a line)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"


def split_front_matter(text: str) -> tuple[str, str] | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0:
        return None
    return text[4:end + 1], text[end + 5:]


def parse_notice(text: str, file: str, slug: str, folder: Path | None = None,
                 content_root: Path | None = None) -> Notice:
    """A Notice from one content file's text; GongkaiError lists everything wrong."""
    parts = split_front_matter(text)
    if parts is None:
        raise GongkaiError(Problem(file, _("no front matter: the file must start with a line '---' "
                                     "and the metadata must end with another"), 1))
    front, body = parts
    root = compose(front, file, first_line=2)
    data = construct(root) if root is not None else None
    reader = _Reader(file, folder, content_root)
    if not isinstance(root, yaml.MappingNode):
        raise GongkaiError(Problem(file, _("front matter must be a mapping of keys"), 2))
    notice = Notice(slug=slug, body=visible(body))
    for key_node, value_node in root.value:
        key = key_node.value
        value = data.get(key) if isinstance(data, dict) else None
        spec = BY_KEY.get(key)
        if spec is None:
            reader.fail(key_node, key, _("unknown key"))
        else:
            setattr(notice, key, reader.readers[spec.kind](key, value, value_node))
    if not notice.title or not notice.title.strip():
        title_node = next((v for k, v in root.value if k.value == "title"), None)
        reader.fail(title_node, "title", _("a notice needs a title"))
        if title_node is None:
            reader.problems[-1] = Problem(file, _("a notice needs a title"), 1, "title")
    if reader.problems:
        raise GongkaiError(*reader.problems)
    return notice


@dataclass(frozen=True)
class Cached:
    """A parsed content file, reused while its size and modification time stay the same.
    Its body is not kept: a large site's bodies would not fit in memory."""

    size: int
    mtime_ns: int
    digest: str  # of the whole file
    meta_digest: str  # of the metadata alone: what lists of every notice show
    notice: Notice


@dataclass
class Loaded:
    """The site's notices, their metadata in memory and their bodies on disk."""

    notices: list[Notice]
    cache: dict[str, Cached]  # slug → parse: this build's, and the next build's cache
    paths: dict[str, str]  # slug → content file, as text: a path object each would slow a rebuild's reading

    def digest(self, notice: Notice) -> str:
        return self.cache[notice.slug].digest

    def body(self, notice: Notice) -> str:
        """The notice's Markdown body, read from its file (it was checked when loaded)."""
        parts = split_front_matter(Path(self.paths[notice.slug]).read_text(encoding="utf-8"))
        return visible(parts[1]) if parts else ""


def _read(job: tuple[str, str, str, Path, int, int]) -> Cached | list[Problem]:
    """One content file parsed for the cache, or what is wrong with it."""
    name, file, slug, content, size, mtime_ns = job
    path = Path(name)
    try:
        data = path.read_bytes()
        notice = parse_notice(data.decode("utf-8"), file, slug, path.parent, content)
    except UnicodeDecodeError:
        return [Problem(file, _("not UTF-8 text"))]
    except OSError as err:  # unreadable, or gone since the folder was listed
        return [Problem(file, _("cannot read: {reason}").format(reason=system_reason(err)))]
    except GongkaiError as err:
        return list(err.problems)
    meta = replace(notice, body=None)
    return Cached(size, mtime_ns, hashlib.sha1(data).hexdigest(), hashlib.sha1(repr(meta).encode("utf-8")).hexdigest(),
                  meta)


def notice_slug(path: str) -> str | None:
    """The slug of a notice's file by its path in content/ (notices/….md); None for any other file."""
    folder, _slash, name = path.rpartition("/")
    return name[:-3].lower() if folder == NOTICES_DIR and name.endswith(".md") else None


def read_again(content: Path, listing: State, paths: list[str], jobs: int = 1) -> dict[str, Cached] | None:
    """Notice files (their paths in content/, where `load_notices` found them before) read
    again, by slug; None when one has a problem, which loading them all reports."""
    todo = [(f"{content}/{path}", f"{content.name}/{path}", notice_slug(path) or "", content, *listing[path])
            for path in paths]
    read = list(parallel_map(_read, todo, jobs))
    if any(isinstance(entry, list) for entry in read):
        return None
    return {job[2]: entry for job, entry in zip(todo, read, strict=True) if isinstance(entry, Cached)}


def load_notices(content: Path, listing: State, cache: dict[str, Cached] | None = None, jobs: int = 1) -> Loaded:
    """Every notice under content/notices/, in file-name order; all problems at once.
    `listing` is the state of every file under content/ (fsio.tree_state). Files unchanged
    since `cache` was made are not read again; the others are read across `jobs` processes
    when there are many."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    found: dict[str, Cached | list[Problem]] = {}
    paths: dict[str, str] = {}
    todo = []
    for path, (size, mtime_ns) in listing.items():
        slug = notice_slug(path)
        if slug is None:
            continue
        file = f"{content.name}/{path}"
        if not SLUG.fullmatch(slug):
            problems.append(Problem(file, _("file name must be ASCII letters, digits, - or _ (it is the URL)"),
                                    field="slug"))
            continue
        if slug in seen:
            problems.append(Problem(file, _("two notices with the slug {slug}: {one} and {other}")
                                    .format(slug=slug, one=seen[slug], other=file),
                                    field="slug"))
            continue
        seen[slug] = file
        paths[slug] = f"{content}/{path}"
        known = (cache or {}).get(slug)
        # A notice with attachment files is always read again: its files are checked on reading.
        if known and (known.size, known.mtime_ns) == (size, mtime_ns) and \
                not any(a.file for a in known.notice.attachments):
            found[slug] = known
        else:
            todo.append((paths[slug], file, slug, content, size, mtime_ns))
    read = list(parallel_map(_read, todo, jobs))
    found.update(zip((job[2] for job in todo), read, strict=True))
    loaded = Loaded([], {}, {})
    for slug in paths:  # file-name order
        entry = found[slug]
        if isinstance(entry, list):
            problems.extend(entry)
            continue
        loaded.cache[slug] = entry
        loaded.notices.append(entry.notice)
        loaded.paths[slug] = paths[slug]
    if problems:
        raise GongkaiError(*problems)
    return loaded
