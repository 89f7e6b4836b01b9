"""Benchmark: normalise and build generated sites of N notices; prints figures only.

    python benchmarks/bench.py              # N = 1,000 and 5,000
    python benchmarks/bench.py --large      # also N = 20,000
    python benchmarks/bench.py --sizes 300  # any sizes
    python benchmarks/bench.py --sizes 1000000 --metadata-only --no-search --runs 1 --no-base-edit

Notices are raw portal text generated from a fixed seed, with sentences drawn from the
bundled seeds: a metadata block, a title, an addressee, a cover letter with 附件说明,
signature and 附注, then the attachment text with 一、（一）1. headings and furniture;
1k–25k characters, about 8k on average. Each figure is the median of --runs runs; memory
is the peak resident size of a cold build's largest process, and of its whole process tree
(pool workers and Pagefind included; their proportional set sizes summed over /proc,
sampled every 50 ms). The search index (Pagefind) is part of every build; --no-search
measures builds without it.
--metadata-only writes content files straight away (no normalising), each with full
metadata and a one-line body: what grows with the count of notices rather than with their
bytes (planning, the record, lists, sitemap, feed selection), at sizes such as 1,000,000.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parent.parent
CN_NUM = "一二三四五六七八九十"
PUBLISHERS = ["示例市教育局", "示例市鲤城区教育局", "示例县教育局", "示例市人民政府办公室", "示例区教育体育局"]
TOPICS = ["学前教育", "义务教育", "高中教育", "特殊教育", "职业教育", "教师队伍建设", "双减工作", "招生入学",
          "校园安全"]
FURNITURE = ["扫一扫在手机上查看当前页面", "【打印本页】【关闭窗口】", "相关解读", "浏览量:12"]
MEMORY = """import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"""


def sentence_pool() -> list[str]:
    """Sentences of real notices: the bundled seeds, split at 。"""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt")))
    sentences = [s.strip() + "。" for s in re.split(r"。", text)]
    return [s for s in sentences if 12 <= len(s) <= 200 and "\n" not in s and ":" not in s[:8]]


def paragraph(rng: random.Random, pool: list[str], sentences: int) -> str:
    return "".join(rng.choice(pool) for _ in range(sentences))


def phrase(rng: random.Random, pool: list[str], length: int) -> str:
    """The opening words of a sentence, for a heading."""
    return re.sub(r"^[0-9]+\.", "", rng.choice(pool))[:length].rstrip("，,。、")


def raw_notice(number: int, rng: random.Random, pool: list[str]) -> str:
    year = rng.randrange(2018, 2026)
    month, day = rng.randrange(1, 13), rng.randrange(1, 29)
    publisher = rng.choice(PUBLISHERS)
    topic = rng.choice(TOPICS)
    title = f"{publisher}关于印发《{year}年{topic}工作要点（第{number}号）》的通知"
    attachments = [f"{year}年{topic}工作要点（第{number}号）", f"{year}年{topic}重点任务分工表"]
    target = int(min(25_000, max(1_000, rng.lognormvariate(8.85, 0.55))))
    lines = [f"• 索 引 号:BM{number % 97:05d}-0100-{year}-{number:05d}", f"• 备注/文号:示教〔{year}〕{number}号",
             f"• 发布机构:{publisher}", f"• 公文生成日期:{year}-{month:02d}-{day:02d}", title,
             f"时间:{year}-{month:02d}-{day:02d} {rng.randrange(8, 18):02d}:{rng.randrange(60):02d}",
             "各中小学、幼儿园，局属各单位:", f"现将《{attachments[0]}》印发给你们，请结合实际认真贯彻落实。",
             "附件:", f"1.{attachments[0]}", f"2.{attachments[1]}", publisher, f"{year}年{month}月{day}日",
             "(此件主动公开)", "附件1", attachments[0], paragraph(rng, pool, 3)]
    size = sum(map(len, lines))
    chapter = 0
    while size < target and chapter < len(CN_NUM):
        chapter += 1
        heading = f"{CN_NUM[chapter - 1]}、{phrase(rng, pool, 14)}"
        lines.append(heading)
        for section in range(1, rng.randrange(2, 5)):
            lines.append(f"（{CN_NUM[section - 1]}）{phrase(rng, pool, 16)}")
            for item in range(1, rng.randrange(2, 9)):
                text = f"{item}.{paragraph(rng, pool, rng.randrange(2, 6))}"
                lines.append(text)
                size += len(text)
    lines += rng.sample(FURNITURE, 2)
    return "\n\n".join(lines) + "\n"


def write_raw(folder: Path, count: int) -> None:
    rng = random.Random(20240221)
    pool = sentence_pool()
    folder.mkdir(parents=True)
    for number in range(count):
        (folder / f"notice-{number:05d}.txt").write_text(raw_notice(number, rng, pool), encoding="utf-8")


def metadata_notice(number: int, rng: random.Random) -> str:
    """A content file as the normaliser writes one, metadata in full, the body one line."""
    year = rng.randrange(2018, 2026)
    day = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    topic = rng.choice(TOPICS)
    return (f"---\ntitle: {rng.choice(PUBLISHERS)}关于{year}年{topic}工作的通知（第{number}号）\n"
            f"publisher: {rng.choice(PUBLISHERS)}\npublished: '{day}'\ndoc_no: 示教〔{year}〕{number}号\n"
            f"index_no: BM{number % 97:05d}-0100-{year}-{number:07d}\ntags: [{topic}]\n---\n\n"
            f"现将有关事项通知如下，请认真贯彻落实（第{number}号）。\n")


def write_metadata_only(folder: Path, count: int) -> None:
    rng = random.Random(20240221)
    folder.mkdir(parents=True)
    for number in range(count):
        (folder / f"n{number:07d}.md").write_text(metadata_notice(number, rng), encoding="utf-8")


def tree_memory_mb(root: int) -> float:
    """The memory of a process and all its descendants, from /proc: the sum of their
    proportional set sizes (Pss), as forked workers share their parent's pages; the sum
    of their resident sizes would count those once a process."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except OSError:  # ended meanwhile
            continue
        total += next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0)
    return total / 1024


def gongkai(site: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "builder", *args], cwd=site, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measured_build(site: Path) -> tuple[float, float, float]:
    """A build's seconds and its peak memory: the largest process's resident size and the
    process tree's (MB)."""
    started = time.perf_counter()
    run = subprocess.Popen([sys.executable, "-c", MEMORY, sys.executable, "-m", "builder", "build"], cwd=site,
                           stdout=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while run.poll() is None:
            peak[0] = max(peak[0], tree_memory_mb(run.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, _ = run.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if run.returncode:
        raise subprocess.CalledProcessError(run.returncode, "gongkai build")
    return seconds, int(out.strip()) / 1024, peak[0]


def sitemap_figures(public: Path) -> dict[str, float]:
    """sitemap.xml and the files it names: how many, and every URL in one file at most
    50,000 times (the protocol's limit)."""
    names = sorted(p.name for p in public.glob("sitemap*.xml"))
    counts = [len(etree.parse(str(public / name)).getroot()) for name in names]
    largest = max(count for name, count in zip(names, counts, strict=True) if name != "sitemap.xml" or len(names) == 1)
    assert largest <= 50_000, f"a sitemap of {largest} URLs"
    urls = sum(counts) - (counts[names.index("sitemap.xml")] if len(names) > 1 else 0)
    return {"sitemap files": len(names), "sitemap URLs": urls}


def median(runs: int, measure) -> float:
    return statistics.median(measure() for _ in range(runs))


def bench(count: int, runs: int, work: Path, search: bool, metadata_only: bool, base_edit: bool) -> dict[str, float]:
    site = work / f"site-{count}"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    config = site / "site.yaml"
    if not search:
        config.write_text(config.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    if metadata_only:
        write_metadata_only(site / "content/notices", count)
        figures = {}
    else:
        write_raw(site / "raw", count)
        characters = sum(len(p.read_text(encoding="utf-8")) for p in (site / "raw").iterdir())

        def normalise() -> float:
            shutil.rmtree(site / "content", ignore_errors=True)
            return gongkai(site, "normalize", "raw")

        figures = {"average characters": characters / count, "normalise files/s": count / median(runs, normalise)}

    memory = [0.0, 0.0]

    def cold() -> float:
        for leftover in [site / "public", site / ".gongkai-cache", *site.glob(".public.*")]:
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            else:
                leftover.unlink(missing_ok=True)
        seconds, largest, tree = measured_build(site)
        memory[:] = max(memory[0], largest), max(memory[1], tree)
        return seconds

    figures["cold build s"] = median(runs, cold)
    figures["peak memory MB"], figures["peak memory, tree MB"] = memory
    figures.update(sitemap_figures(site / "public"))
    figures["no-change rebuild s"] = median(runs, lambda: gongkai(site, "build"))
    edited = sorted((site / "content/notices").glob("*.md"))[count // 2]

    def one_edit() -> float:
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("\n\n", "\n\n修订说明：本段为基准测试所加。\n\n", 1), encoding="utf-8")
        return gongkai(site, "build")

    # The first rebuild after a cold build makes the standby tree's folders (builder/publish.py):
    # a cost of its own, once.
    figures["first edit after cold s"] = one_edit()
    figures["one-notice edit s"] = median(runs, one_edit)
    template = site / "theme/templates/404.html"
    template.parent.mkdir(parents=True, exist_ok=True)

    def template_edit() -> float:
        template.write_text(f'{{% extends "base.html" %}}{{% block main %}}<h1>404 {time.time_ns()}</h1>'
                            "{% endblock %}", encoding="utf-8")
        return gongkai(site, "build")

    figures["404-template edit s"] = median(runs, template_edit)
    base = site / "theme/templates/base.html"
    default_base = (REPO / "theme/templates/base.html").read_text(encoding="utf-8")

    def base_template_edit() -> float:
        base.write_text(default_base.replace("</footer>", f"<p>{time.time_ns()}</p></footer>"), encoding="utf-8")
        return gongkai(site, "build")

    if base_edit:
        figures["base-template edit s"] = median(runs, base_template_edit)
    if search:
        figures["search index MB"] = sum(p.stat().st_size for p in (site / "public/pagefind").rglob("*")
                                         if p.is_file()) / 2**20
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--large", action="store_true", help="also 20,000 notices")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-search", action="store_true",
                        help="build with search: false, like the minimal sites of other generators")
    parser.add_argument("--metadata-only", action="store_true",
                        help="notices with full metadata and one-line bodies, written as content (not normalised)")
    parser.add_argument("--no-base-edit", action="store_true",
                        help="leave out the base-template edit (it renders every page again: a cold build's time)")
    args = parser.parse_args()
    sizes = args.sizes + ([20_000] if args.large else [])
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as folder:
        for count in sizes:
            figures = bench(count, args.runs, Path(folder), not args.no_search, args.metadata_only,
                            not args.no_base_edit)
            print(f"N = {count:,}")
            for name, value in figures.items():
                print(f"  {name:<22} {value:>10.2f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
