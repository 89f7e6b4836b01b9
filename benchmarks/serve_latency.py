"""Benchmark: edit-to-reload latency of `gongkai serve` on a generated site; prints figures only.

    python benchmarks/serve_latency.py             # 1,000 notices, 15 edits
    python benchmarks/serve_latency.py --notices 5000 --edits 30

It normalises generated raw notices (see bench.py), starts the preview server, listens
to its reload events like an open page does, then edits one notice at a time and times
the span from the file write to the reload event (the page is rebuilt by then).
"""

from __future__ import annotations

import argparse
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench import REPO, write_raw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listen(url: str, events: queue.Queue[float]) -> None:
    with urllib.request.urlopen(url + "__gongkai/events", timeout=600) as stream:
        for raw in stream:
            if raw.startswith(b"event: reload"):
                events.put(time.perf_counter())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gongkai-serve-") as folder:
        site = Path(folder)
        (site / "site.yaml").write_text((REPO / "site.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        write_raw(site / "raw", args.notices)
        subprocess.run([sys.executable, "-m", "builder", "normalize", "raw"], cwd=site, check=True,
                       stdout=subprocess.DEVNULL)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--port", str(port)], cwd=site,
                                  stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("serving"):
                break
        first_build = time.perf_counter() - started
        threading.Thread(target=server.stdout.read, daemon=True).start()  # keep the server's pipe from filling
        events: queue.Queue[float] = queue.Queue()
        threading.Thread(target=listen, args=(url, events), daemon=True).start()
        time.sleep(0.5)
        notices = sorted((site / "content/notices").glob("*.md"))
        latencies = []
        try:
            for number in range(args.edits):
                path = notices[(number * 37) % len(notices)]
                text = path.read_text(encoding="utf-8")
                written = time.perf_counter()
                path.write_text(text.replace("\n---\n", f"\n---\n\n编辑{number}。\n", 1), encoding="utf-8")
                latencies.append(events.get(timeout=60) - written)
                time.sleep(0.3)
        finally:
            server.terminate()
            server.wait(10)
        print(f"notices                     {args.notices:>8,}")
        print(f"start-up (first build) s    {first_build:>8.2f}")
        print(f"edit to reload, median ms   {statistics.median(latencies) * 1000:>8.0f}")
        print(f"edit to reload, max ms      {max(latencies) * 1000:>8.0f}")


if __name__ == "__main__":
    main()
