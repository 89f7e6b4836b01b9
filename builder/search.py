"""Full-text search: Pagefind indexes of the notice pages, written into the site.

Every notice is found by any run of characters it holds, the way a reader expects of a 政府
信息公开 search. Pagefind alone does not do that for Chinese: its extended build segments
a page's text into words with one dictionary (jieba, in charabia) and, since 1.5, the query
with another (the browser's Intl.Segmenter), and a query word that is no word of the
index's pages drops out of the query. So 课后服务, split 课|后|服务 in the browser, lost the
notice whose text was split 课后|服务 as soon as another notice of its shard had the word 后.

So the index is not made of words. Each notice is handed to Pagefind as a custom record
(`pagefind --service`) whose content is its text as overlapping character pairs, the idea of
Lucene's CJK bigrams: after deleting whitespace and lowercasing, the characters c1 c2 … cn
of a field or paragraph become the tokens c1c2 c2c3 … cn, each character written as four
letters (`_CODE`) so that neither segmenter can split or merge a token. The search page
writes a query of two or more characters the same way and runs it as a Pagefind phrase
("…"): a phrase of pairs is found exactly where the characters stand in a row, so the
results are the notices that hold the query, no more and no fewer, from Pagefind's chunked
index. A single character is a prefix search of its four letters. The page turns a result's
content back into text (each token's first four letters) for its excerpt.

What of a page goes into a record is marked in the theme's notice template with
data-pagefind-* attributes, read here as Pagefind would: the data-pagefind-body element's
text less data-pagefind-ignore parts, its metadata, filters and sort keys. The title,
发文字号, 索引号 and publisher (metadata) are records' fields of their own.

A Pagefind run holds its whole index in memory, so the index is split into shards: one per
year, a large year split further by a stable hash of the page path. An edit reindexes only
its shard, a cold build indexes shards side by side, and the search page merges them
(Pagefind's mergeIndex). Records go to Pagefind in the order of their paths, so an index is
the same bytes on any file system.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BufferedReader
from math import ceil
from pathlib import Path
from typing import IO, Any, cast

from builder.errors import GongkaiError, Problem
from builder.urls import is_notice_page

SEARCH_DIR = "pagefind"  # the folder of the shards inside the site; the theme's search page loads them
RECORDS = "pairs-1"  # the shape of the records: a new one reindexes every shard (engine_version)
FIELDS = ("title", "doc_no", "index_no", "publisher")  # searched as well as shown; search.js knows them
LANGUAGE = "zh-cn"  # the search page's <html lang>, by which Pagefind picks an index
# Pagefind writes its ready-made search UIs into every index (no option to leave them out,
# Pagefind issue #1183); the 搜索 page has its own, so they would only be uploaded.
UNUSED_BUNDLE_FILE = re.compile(r"pagefind-(?:component-ui|modular-ui|ui|highlight)\.(?:js|css)")
SHARD_SIZE = 800  # notices per shard at most: bounds a Pagefind run's memory and an edit's reindexing
# The whitespace deleted before matching: the same class in search.js (Python's and
# JavaScript's \s differ at the edges).
WHITESPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+")
BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption", "dt", "dd", "pre",
                    "blockquote", "figcaption", "div", "section", "table", "tr", "ul", "ol", "dl", "footer",
                    "header", "article", "aside", "nav"})  # elements whose text is a paragraph of its own
_RUNNING: set[subprocess.Popen[bytes]] = set()  # Pagefind runs under way, for stop_indexing()
_RUNNING_LOCK = threading.Lock()
_STOPPED = threading.Event()


class _Code(dict[int, str]):
    """str.translate's table: a character → its code twice, "abcd abcd". Translating
    c1 c2 … cn gives "C1 C1C2 C2C3 … Cn"; less its first five letters, that is the pairs.
    A code is the code point in base 26, four letters; the few code points past 26⁴
    (private use and unassigned planes) share U+FFFD's."""

    def __missing__(self, point: int) -> str:
        number = point if point < 26**4 else 0xFFFD
        letters = "".join(chr(97 + number // 26**place % 26) for place in (3, 2, 1, 0))
        self[point] = f"{letters} {letters}"
        return self[point]


_CODE = _Code()


def pairs(text: str) -> str:
    """A field's or paragraph's tokens: its overlapping character pairs, then its last character."""
    folded = WHITESPACE.sub("", text).lower()
    return folded.translate(_CODE)[5:]


@dataclass(frozen=True)
class Shard:
    """A part of the search index: its folder under pagefind/ and the notice pages it indexes."""

    name: str  # its folder under pagefind/
    pages: tuple[str, ...]  # the site paths of the notice pages it indexes


def indexed(path: str) -> bool:
    """Whether a site path is a page that goes into the index."""
    return is_notice_page(path)


def plan_shards(pages_by_year: Mapping[str, list[str]]) -> list[Shard]:
    """Shards by year, newest first; a year of more than SHARD_SIZE pages is split by a hash
    of each path, so adding a notice leaves the other shards of its year alone."""
    shards = []
    for year in sorted(pages_by_year, reverse=True):
        pages = sorted(pages_by_year[year])
        parts = ceil(len(pages) / SHARD_SIZE)
        if parts <= 1:
            shards.append(Shard(year, tuple(pages)))
            continue
        members: list[list[str]] = [[] for _ in range(parts)]
        for page in pages:
            members[zlib.crc32(page.encode("utf-8")) % parts].append(page)
        shards += [Shard(f"{year}-{number}", tuple(part)) for number, part in enumerate(members, start=1)]
    return shards


def engine_version() -> str:
    """What the index is made with: Pagefind's version and the records' shape."""
    from importlib import metadata  # not at the top: a rebuild without search need not pay for its import

    try:
        return f"{metadata.version('pagefind-bin-extended')}/{RECORDS}"
    except metadata.PackageNotFoundError:
        return "missing"


def executable() -> str:
    """The Pagefind program of the pagefind[extended] package; a one-line error naming
    site.yaml's `search` when it is not installed."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        needed = "search needs the pagefind[extended] package (pip install 'pagefind[extended]'), or set search: false"
        raise GongkaiError(Problem("site.yaml", needed, field="search")) from None
    return str(get_executable())


def _marked(value: str, element: Any) -> tuple[str, str]:
    """A data-pagefind-meta/filter/sort mark: "name:value", or "name" with the element's text."""
    name, colon, given = value.partition(":")
    return name.strip(), (given if colon else element.text_content()).strip()


def _paragraphs(element: Any) -> Iterator[str]:
    """The text of an element by block, Pagefind's way: what is marked data-pagefind-ignore
    or data-pagefind-meta (a field of its own) is left out."""
    mark = element.get("data-pagefind-meta")
    if not isinstance(element.tag, str) or element.get("data-pagefind-ignore") is not None or (
            mark is not None and ":" not in mark):  # a comment, or text that is no paragraph
        yield element.tail or ""
        return
    block = element.tag in BLOCKS
    if block:
        yield "\n"
    yield element.text or ""
    for child in element:
        yield from _paragraphs(child)
    if block:
        yield "\n"
    yield element.tail or ""


def record(page: bytes, url: str) -> dict[str, Any]:
    """A notice page as a Pagefind record: content is its paragraphs and then its FIELDS as
    pairs (search.js reads them back by that order), each ending ". "."""
    from lxml import html  # not at the top: only an index needs it

    root = html.fromstring(page)
    body = root.find(".//*[@data-pagefind-body]")
    if body is None:
        raise GongkaiError(Problem(url, "a notice page without data-pagefind-body cannot be indexed for search"))
    meta: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    sort: dict[str, str] = {}
    for kind, into in (("meta", meta), ("sort", sort)):
        for element in body.iter():
            if (mark := element.get(f"data-pagefind-{kind}")) is not None:
                name, value = _marked(mark, element)
                into[name] = value
    for element in body.iter():
        if (mark := element.get("data-pagefind-filter")) is not None:
            name, value = _marked(mark, element)
            filters.setdefault(name, []).append(value)
    title = body.find(".//h1")
    if isinstance(title, html.HtmlElement):
        meta["title"] = title.text_content().strip()
        title.drop_tree()
    paragraphs = "".join(_paragraphs(body)).split("\n")
    tokens = [pairs(text) for text in [*paragraphs, *(meta.get(field, "") for field in FIELDS)]]
    content = "".join(f"{token} . " for token in tokens if token)
    return {"url": url, "content": content, "language": LANGUAGE, "meta": meta, "filters": filters, "sort": sort}


class _Service:
    """A `pagefind --service` run: requests in, answers out, each a base64 JSON message ended
    by a comma. Pagefind handles requests one at a time, in the order they came, and
    answers each in that order."""

    def __init__(self, command: list[str], where: str) -> None:
        self.where = where
        self.sent = 0
        self.pending = b""  # what was read past the last answer
        with _RUNNING_LOCK:
            if _STOPPED.is_set():
                raise GongkaiError(Problem(where, "indexing stopped"))
            self.run = subprocess.Popen([*command, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
            _RUNNING.add(self.run)
        assert self.run.stdin is not None and self.run.stdout is not None  # both piped above
        self.input: IO[bytes] = self.run.stdin
        self.output = cast(BufferedReader, self.run.stdout)

    def send(self, payload: dict[str, Any]) -> None:
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}, ensure_ascii=False)
        try:
            self.input.write(base64.b64encode(message.encode("utf-8")) + b",")
            self.input.flush()
        except (BrokenPipeError, ValueError):  # ValueError: stopped (stop_indexing) and closed
            pass  # the answer that never comes says why

    def answer(self) -> dict[str, Any]:
        """The next answer's payload; GongkaiError when it is an error or Pagefind ended."""
        chunk = b"."
        try:
            while b"," not in self.pending and chunk:
                chunk = self.output.read1(1 << 20)
                self.pending += chunk
        except ValueError:  # stopped and closed
            pass
        answer, comma, self.pending = self.pending.partition(b",")
        reply = json.loads(base64.b64decode(answer)) if comma else None
        if reply is None or reply["payload"]["type"] == "Error":
            why = reply["payload"]["message"] if reply else ("stopped" if _STOPPED.is_set() else "Pagefind ended")
            raise GongkaiError(Problem(self.where, f"indexing for search failed: {why}"))
        return reply["payload"]

    def ask(self, **payload: Any) -> dict[str, Any]:
        self.send(payload)
        return self.answer()

    def ask_each(self, payloads: Iterator[dict[str, Any]]) -> None:
        """Requests sent as they are made, by a thread of their own, while their answers are
        read here: the next request is made while Pagefind handles the last."""
        made: queue.SimpleQueue[BaseException | bool] = queue.SimpleQueue()  # True: one sent; False: all
        done = threading.Event()

        def send_all() -> None:
            try:
                for payload in payloads:
                    if done.is_set():
                        return
                    self.send(payload)
                    made.put(True)
                made.put(False)
            except BaseException as err:  # a page that cannot be indexed: raised where the answers are read
                made.put(err)

        sender = threading.Thread(target=send_all, daemon=True)
        sender.start()
        try:
            while (item := made.get()) is not False:
                if isinstance(item, BaseException):
                    raise item
                self.answer()
        finally:
            done.set()

    def close(self) -> None:
        with _RUNNING_LOCK:
            _RUNNING.discard(self.run)
        self.run.kill()
        self.run.wait()
        self.input.close()
        self.output.close()


def _linked_as_it_was(old: Path, new: Path, data: bytes) -> bool:
    """Link `new` to the shard's file as it was when that holds `data` already: a page's
    fragment keeps its bytes until the page changes, and a link is no new file to make
    (beside a large site's hundreds of thousands of files, making one is slow)."""
    try:
        if old.stat().st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True


def write_shard(site: Path, shard: Shard, command: list[str]) -> None:
    """Index one shard's pages into site/pagefind/<name>/: Pagefind writes the index beside
    the old one, and the new one is renamed in."""
    where = f"{SEARCH_DIR}/{shard.name}"
    work = site.parent / f".{site.name}.search-{shard.name}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    service = _Service(command, where)
    try:
        index = service.ask(type="NewIndex", config=None)["index_id"]
        # In path order: Pagefind numbers pages as they come.
        service.ask_each({"type": "AddRecord", "index_id": index,
                          **record((site / page).read_bytes(), "/" + page.removesuffix("index.html"))}
                         for page in shard.pages)
        target = site / SEARCH_DIR / shard.name
        # Taken and written here, not by Pagefind's WriteFiles, which answers before its
        # files are all written
        for file in service.ask(type="GetFiles", index_id=index)["files"]:
            if not UNUSED_BUNDLE_FILE.fullmatch(file["path"]):
                path = work / "index" / file["path"]
                path.parent.mkdir(parents=True, exist_ok=True)
                data = base64.b64decode(file["content"])
                if not _linked_as_it_was(target / file["path"], path, data):
                    path.write_bytes(data)
        target.parent.mkdir(exist_ok=True)
        if target.exists():
            os.rename(target, work / "old")
        os.rename(work / "index", target)
    finally:
        service.close()
        shutil.rmtree(work, ignore_errors=True)


def stop_indexing() -> None:
    """End the Pagefind runs under way, and start no more: a preview that stops must not
    leave them writing into its folder."""
    with _RUNNING_LOCK:
        _STOPPED.set()
        for run in _RUNNING:
            run.kill()


Indexer = Callable[[Path, list[Shard]], None]  # indexes shards of a site: here, or on a cluster (builder/cluster.py)


def changing_shards(site: Path, shards: list[Shard], keys: Mapping[str, str], done: Mapping[str, str]) -> set[str]:
    """The folders under site/pagefind/ that `update_index` will make anew or remove: the
    shards it reindexes, and the folders of shards no longer planned."""
    root = site / SEARCH_DIR
    present = set(os.listdir(root)) if root.is_dir() else set()
    indexed = {shard.name for shard in shards
               if done.get(shard.name) != keys[shard.name] or not (root / shard.name / "pagefind.js").is_file()}
    return indexed | (present - set(keys))


def update_index(site: Path, shards: list[Shard], keys: Mapping[str, str], done: Mapping[str, str],
                 jobs: int, background: bool = False, indexer: Indexer | None = None) -> dict[str, str]:
    """Bring site/pagefind/ up to date: reindex each shard whose key differs from the one it
    was `done` with (or whose files are gone), side by side (by `indexer` when given);
    remove shards no longer planned. Returns the key of every shard now in place. In the
    `background` (a preview's indexing beside its rebuilds) Pagefind runs at a lower
    priority, so rebuilds go first."""
    root = site / SEARCH_DIR
    if not shards:
        shutil.rmtree(root, ignore_errors=True)
        return {}
    changing = changing_shards(site, shards, keys, done)
    for stale in sorted(changing - set(keys)):
        shutil.rmtree(root / stale, ignore_errors=True)
    todo = [s for s in shards if s.name in changing]
    if todo and indexer is not None:
        indexer(site, todo)
    elif todo:
        nice = shutil.which("nice") if background else None
        command = [*([nice, "-n", "15"] if nice else []), executable()]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(lambda shard: write_shard(site, shard, command), todo))
    return dict(keys)
