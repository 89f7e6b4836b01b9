"""Deploy benchmark: first deploy and a deploy after one edit, for the bundled seeds and for
generated sites, to a `dir` target; prints seconds and the bytes the deploy sends.

    python benchmarks/deploy_bench.py               # the seeds and N = 2,000
    python benchmarks/deploy_bench.py --sizes 500   # other sizes
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import REPO, write_raw


def gongkai(site: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "builder", *args], cwd=site, check=True, capture_output=True,
                          text=True)
    return time.perf_counter() - started, done.stdout


def measure(site: Path, raw: str) -> None:
    target = site / "www"
    base = "https://example.gov.cn/xxgk/"
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"deploy:\n  web:\n    type: dir\n    path: {target}\n",
                      encoding="utf-8")
    gongkai(site, "normalize", raw)
    gongkai(site, "build", "--base-url", base)
    for label in ("first deploy", "after one edit"):
        if label == "after one edit":
            edited = sorted((site / "content/notices").glob("*.md"))[0]
            text = edited.read_text(encoding="utf-8")
            edited.write_text(text.replace("\n\n", "\n\n修订说明：本段为基准测试所加。\n\n", 1), encoding="utf-8")
            gongkai(site, "build", "--base-url", base)
            time.sleep(1.0)  # release names carry the second
        seconds, out = gongkai(site, "deploy")
        counts = re.search(r"(\d+) added, (\d+) changed, (\d+) removed, ([\d,]+) bytes", out)
        assert counts is not None, out
        added, changed, removed, sent = counts.groups()
        print(f"  {label:<16} {seconds:6.2f} s  {sent:>13} bytes  ({added} added, {changed} changed, "
              f"{removed} removed)")
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[2000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongkai-deploy-bench-") as folder:
        seeds = Path(folder) / "seeds-site"
        seeds.mkdir()
        shutil.copy(REPO / "site.yaml", seeds / "site.yaml")
        shutil.copytree(REPO / "seeds", seeds / "seeds")
        print("seeds")
        measure(seeds, "seeds")
        for count in args.sizes:
            site = Path(folder) / f"site-{count}"
            site.mkdir()
            shutil.copy(REPO / "site.yaml", site / "site.yaml")
            write_raw(site / "raw", count)
            print(f"N = {count:,}")
            measure(site, "raw")


if __name__ == "__main__":
    main()
