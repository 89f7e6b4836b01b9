"""Benchmark: normalise and build generated sites of N notices; prints figures only.

    python benchmarks/bench.py              # N = 1,000 and 5,000
    python benchmarks/bench.py --large      # also N = 20,000
    python benchmarks/bench.py --sizes 300  # any sizes

Notices are raw portal text generated from a fixed seed, with sentences drawn from the
bundled seeds: a metadata block, a title, an addressee, a cover letter with 附件说明,
signature and 附注, then the attachment text with 一、（一）1. headings and furniture;
1k–25k characters, about 8k on average. Each figure is the median of --runs runs; memory
is the peak resident size of the largest process of a cold build. The search index
(Pagefind) is part of every build; --no-search measures builds without it.
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
import time
from pathlib import Path

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


def gongkai(site: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "builder", *args], cwd=site, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_memory_mb(site: Path) -> float:
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".gongkai-cache", ignore_errors=True)
    out = subprocess.run([sys.executable, "-c", MEMORY, sys.executable, "-m", "builder", "build"], cwd=site,
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip()) / 1024


def median(runs: int, measure) -> float:
    return statistics.median(measure() for _ in range(runs))


def bench(count: int, runs: int, work: Path, search: bool) -> dict[str, float]:
    site = work / f"site-{count}"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    config = site / "site.yaml"
    if not search:
        config.write_text(config.read_text(encoding="utf-8") + "search: false\n", encoding="utf-8")
    write_raw(site / "raw", count)
    characters = sum(len(p.read_text(encoding="utf-8")) for p in (site / "raw").iterdir())

    def normalise() -> float:
        shutil.rmtree(site / "content", ignore_errors=True)
        return gongkai(site, "normalize", "raw")

    def cold() -> float:
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / ".gongkai-cache", ignore_errors=True)
        return gongkai(site, "build")

    figures = {"average characters": characters / count, "normalise files/s": count / median(runs, normalise)}
    figures["cold build s"] = median(runs, cold)
    figures["no-change rebuild s"] = median(runs, lambda: gongkai(site, "build"))
    edited = sorted((site / "content/notices").glob("*.md"))[count // 2]

    def one_edit() -> float:
        text = edited.read_text(encoding="utf-8")
        edited.write_text(text.replace("\n\n", "\n\n修订说明：本段为基准测试所加。\n\n", 1), encoding="utf-8")
        return gongkai(site, "build")

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

    figures["base-template edit s"] = median(runs, base_template_edit)
    figures["peak memory MB"] = peak_memory_mb(site)
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
    args = parser.parse_args()
    sizes = args.sizes + ([20_000] if args.large else [])
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as folder:
        for count in sizes:
            figures = bench(count, args.runs, Path(folder), not args.no_search)
            print(f"N = {count:,}")
            for name, value in figures.items():
                print(f"  {name:<22} {value:>10.2f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
