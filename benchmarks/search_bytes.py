"""Bytes a reader downloads for a search: the 搜索 page of a built site, in Chromium over
HTTP, counting the bodies of the search index's files (pagefind/) that each query fetches,
in a fresh browser context (an empty cache). Prints figures only.

    python benchmarks/search_bytes.py SITE/public [QUERY …]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from urllib.parse import quote

from playwright.sync_api import sync_playwright

QUERIES = ["课后服务", "校园安全", "泉鲤政教〔2024〕15号", "示教〔2024〕120号"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site")
    parser.add_argument("queries", nargs="*", default=QUERIES)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=args.site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for query in args.queries:
            context = browser.new_context()
            page = context.new_page()
            fetched: list[int] = []
            page.on("requestfinished", lambda request, into=fetched: into.append(
                len(request.response().body())) if "/pagefind/" in request.url else None)
            page.goto(f"{base}search/?q={quote(query)}")
            page.wait_for_function("document.getElementById('search-status').textContent.includes('文件')")
            status = page.inner_text("#search-status")
            print(f"{query}: {sum(fetched) / 1024:,.0f} KB in {len(fetched)} files ({status})")
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
