"""Search finds every notice that holds the words, and no other: random runs of characters
from the notices' titles and bodies, and every 发文字号 and 索引号, searched over the seeds
and 1,000 generated notices with the 搜索 page's own code (tests/search_node.mjs runs its
find() in Node against the built Pagefind index, as the page does in a browser)."""

from __future__ import annotations

import bisect
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html

from tests.helpers import REPO, read_notice, run_cli, write_site_yaml

sys.path.insert(0, str(REPO / "benchmarks"))
from bench import write_raw  # the benchmark's generator of notices

WHITESPACE = re.compile(r"\s+")
CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
LEAF_BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption")


def folded(text: str) -> str:
    return WHITESPACE.sub("", text).lower()


def texts(root: Path, slug: str, front: dict) -> list[str]:
    """What a search must find a notice by: its title, 发文字号, 索引号 and publisher, and each
    paragraph of its body and attachments as the page shows them, whitespace deleted."""
    page = html.fromstring((root / "public/notices" / slug / "index.html").read_bytes())
    tags = " or ".join(f"self::{tag}" for tag in LEAF_BLOCKS)
    sections = "contains(@class, 'notice-body') or contains(@class, 'attachment-section')"
    body = [element.text_content() for element in page.xpath(f"//*[{sections}]//*[{tags}][not(.//*[{tags}])]")]
    title = page.xpath("//h1")[0].text_content()
    fields = [title, front.get("doc_no") or "", front.get("index_no") or "", front.get("publisher") or ""]
    return [text for text in map(folded, fields + body) if text]


class Texts:
    """Every notice's texts joined, so that one scan finds the notices that hold a query."""

    def __init__(self, by_slug: dict[str, list[str]]) -> None:
        self.slugs = list(by_slug)
        self.starts: list[int] = []
        parts, at = [], 0
        for texts_of_one in by_slug.values():
            self.starts.append(at)
            parts.append("\0".join(texts_of_one) + "\0")
            at += len(parts[-1])
        self.text = "".join(parts)

    def holding(self, query: str) -> set[str]:
        found, at = set(), self.text.find(query)
        while at >= 0:
            found.add(self.slugs[bisect.bisect_right(self.starts, at) - 1])
            at = self.text.find(query, at + 1)
        return found


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recall")
    write_site_yaml(root, search=True)
    write_raw(root / "raw", 1000)
    shutil.copytree(REPO / "seeds", root / "raw/seeds")
    assert run_cli("normalize", "raw", cwd=root).returncode == 0
    built = run_cli("build", cwd=root)
    assert built.returncode == 0, built.stderr
    return root


@pytest.mark.long
def test_recall_and_precision_are_complete(large_site: Path) -> None:
    notices = {path.stem: read_notice(path)[0] for path in sorted((large_site / "content/notices").glob("*.md"))}
    by_slug = {slug: texts(large_site, slug, front) for slug, front in notices.items()}
    rng = random.Random(20261127)
    seeds = [slug for slug in by_slug if not re.fullmatch(r"bm\d+-0100-\d{4}-\d{5}", slug)]
    assert len(seeds) == 5 and len(by_slug) == 1005
    queries: set[str] = {"课后服务", "课后", "校要严格按照", "台资"}
    queries |= {front[key] for front in notices.values() for key in ("doc_no", "index_no") if front.get(key)}
    while len(queries) < 300:
        slug = rng.choice(seeds) if rng.random() < 0.3 else rng.choice(list(by_slug))
        runs = [run for text in by_slug[slug] for run in CJK_RUN.findall(text)]
        run = rng.choice(runs)
        length = rng.randint(2, min(8, len(run)))
        start = rng.randrange(len(run) - length + 1)
        queries.add(run[start:start + length])
    asked = sorted(queries)
    request = json.dumps({"site": str(large_site / "public"), "queries": asked})
    answer = subprocess.run(["node", str(REPO / "tests/search_node.mjs")], input=request, capture_output=True,
                            text=True, timeout=300, check=True)
    found = [{url.split("/")[2] for url in urls} for urls in json.loads(answer.stdout)]
    every = Texts(by_slug)
    expected = [every.holding(folded(query)) for query in asked]
    hits = sum(len(f & e) for f, e in zip(found, expected, strict=True))
    recall, precision = hits / sum(map(len, expected)), hits / max(1, sum(map(len, found)))
    print(f"{len(asked)} queries over {len(by_slug)} notices: recall {recall:.2%}, precision {precision:.2%}")
    wrong = {query: (sorted(e - f)[:3], sorted(f - e)[:3]) for query, f, e in zip(asked, found, expected, strict=True)
             if f != e}
    assert not wrong, f"missed, and found without the words: {dict(list(wrong.items())[:5])}"
    assert found[asked.index("课后服务")] >= set(seeds)  # every seed holds it
