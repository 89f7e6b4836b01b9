"""`gongkai serve`: live preview while editing.

The preview is built into .gongkai-cache/preview/ (public/ is left alone) by the same
incremental build as `gongkai build`, so an edit re-renders only the pages that show it.
watchdog reports changes; a burst of events (an editor's atomic save, a git checkout)
is gathered into one rebuild. Open pages hear of each rebuild over Server-Sent Events.
A build error never stops the server: pages show it until the file is fixed.
"""

from __future__ import annotations

import html
import http.server
import mimetypes
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from builder.config import SITE_FILE, load_config
from builder.errors import GongkaiError
from builder.normalize.run import RAW_SUFFIXES, normalize_files
from builder.paths import PREVIEW
from builder.record import CACHE_DIR
from builder.search import stop_indexing
from builder.site import build_site, refresh_search_index

EVENTS_PATH = "/__gongkai/events"
QUIET_SECONDS = 0.03  # a burst has ended when no event came for this long
MAX_WAIT_SECONDS = 1.0  # but a rebuild never waits longer than this for quiet
KEEPALIVE_SECONDS = 15
RELOAD_SCRIPT = (f'<script>new EventSource("{EVENTS_PATH}").addEventListener("reload", '
                 "() => location.reload());</script>")
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
                 ".xsl": "application/xml; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8"}
WATCHED = ("content", "theme", "seeds")


@dataclass
class PreviewState:
    """What the server shows: the current build's number, or the error that stopped it."""

    version: int = 0
    error: str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, error: str | None) -> None:
        with self.changed:
            self.version += 1
            self.error = error
            self.changed.notify_all()

    def newer_than(self, version: int) -> Callable[[], bool]:
        """Whether a build newer than `version` has been published: what a waiting page asks."""
        return lambda: self.version != version


class Rebuilder:
    """Gathers changed paths and rebuilds once per burst, on its own thread."""

    def __init__(self, root: Path, out: Path, base_url: str, state: PreviewState, say: Callable[[str], None]) -> None:
        self.root, self.out, self.base_url, self.state, self.say = root, out, base_url, state, say
        self.pending: set[str] = set()
        self.memory: dict[str, object] = {}  # the incremental build's record, kept between rebuilds
        self.memory_lock = threading.Lock()  # the search indexer reads and writes `memory` too
        self.search_due = threading.Event()
        self.stopping = False
        self.arrived = threading.Condition()
        self.last_event = 0.0

    def notice(self, path: str) -> None:
        with self.arrived:
            self.pending.add(path)
            self.last_event = time.monotonic()
            self.arrived.notify()

    def run_forever(self) -> None:
        while True:
            with self.arrived:
                while not self.pending:
                    self.arrived.wait()
                first = time.monotonic()
                while (time.monotonic() - self.last_event < QUIET_SECONDS
                       and time.monotonic() - first < MAX_WAIT_SECONDS):
                    self.arrived.wait(QUIET_SECONDS)
                paths, self.pending = sorted(self.pending), set()
            self.rebuild(paths)

    def rebuild(self, paths: list[str]) -> None:
        started = time.perf_counter()
        try:
            config = replace(load_config(self.root, required=True), base_url=self.base_url)
            raw = [p for p in paths if Path(p).is_file() and Path(p).suffix.lower() in RAW_SUFFIXES
                   and Path(p).resolve().is_relative_to((self.root / "seeds").resolve())]
            if raw:
                outcome = normalize_files([Path(p).relative_to(self.root).as_posix() for p in raw],
                                          self.root / "content/notices", config.tags, False, self.say)
                for problem in outcome.problems:
                    self.say(f"  warning: {problem}")
            with self.memory_lock:
                result = build_site(self.root, config, self.out, memory=self.memory, defer_search=True)
        except GongkaiError as err:
            self.state.publish("\n".join(str(p) for p in err.problems))
            self.say("error: build failed; the preview shows why:\n  " + "\n  ".join(map(str, err.problems)))
            return
        except Exception:  # a bug must not stop the preview: show it, keep serving
            self.state.publish(traceback.format_exc())
            self.say(f"error: build crashed:\n{traceback.format_exc()}")
            return
        seconds = time.perf_counter() - started
        shown = ", ".join(Path(p).relative_to(self.root).as_posix() if Path(p).is_relative_to(self.root) else p
                          for p in paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        self.state.publish(None)
        self.say(f"rebuilt after {shown}: {result.written} written, {result.removed} removed in "
                 f"{seconds * 1000:.0f} ms")
        for warning in result.warnings:
            self.say(f"  warning: {warning}")
        self.search_due.set()

    def index_forever(self) -> None:
        """Brings the search index up to date after rebuilds, on its own thread: indexing a
        shard takes seconds, and the next edit's rebuild must not wait for it."""
        while True:
            self.search_due.wait()
            self.search_due.clear()
            if self.stopping:
                return
            try:
                refresh_search_index(self.out, self.memory, self.memory_lock)
            except GongkaiError as err:
                if not self.stopping:
                    self.say("warning: search index not updated: " + "; ".join(map(str, err.problems)))
            except Exception:  # the preview goes on; the next rebuild tries again
                self.say(f"warning: search indexing crashed:\n{traceback.format_exc()}")


class _Events(FileSystemEventHandler):
    """Passes on changes to the site's inputs: content/, theme/, seeds/ and site.yaml."""

    def __init__(self, rebuilder: Rebuilder, root: Path) -> None:
        self.rebuilder = rebuilder
        self.inputs = [(root / name).resolve() for name in WATCHED]
        self.config = (root / SITE_FILE).resolve()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            resolved = Path(str(path)).resolve() if path else None
            if resolved and (resolved == self.config or any(resolved.is_relative_to(i) for i in self.inputs)):
                self.rebuilder.notice(str(path))


def error_page(message: str) -> bytes:
    body = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>构建出错</title></head>'
            f'<body><main><h1>构建出错（build error）</h1><p>修正下列文件后，本页会自动刷新。</p>'
            f"<pre>{html.escape(message)}</pre></main></body></html>")
    return body.encode("utf-8")


def make_handler(site: Path, state: PreviewState) -> type[http.server.BaseHTTPRequestHandler]:
    site = site.resolve()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "gongkai-preview"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            path = urlsplit(self.path).path
            if path == EVENTS_PATH:
                self.events()
                return
            if state.error is not None:
                self.send(500, "text/html; charset=utf-8", error_page(state.error), head)
                return
            target = self.resolve(path)
            if target is None:
                self.send(400, "text/plain; charset=utf-8", b"bad path\n", head)
            elif target.is_dir():
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif target.is_file():
                self.send(200, CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
                          or "application/octet-stream", target.read_bytes(), head)
            else:
                missing = site / "404.html"
                self.send(404, "text/html; charset=utf-8",
                          missing.read_bytes() if missing.is_file() else b"not found\n", head)

        def resolve(self, path: str) -> Path | None:
            """The file a URL path names, or None when it tries to leave the site."""
            decoded = unquote(path)
            if "\x00" in decoded or "\\" in decoded or any(part == ".." for part in decoded.split("/")):
                return None
            target = (site / decoded.lstrip("/")).resolve()
            if not target.is_relative_to(site):
                return None
            return target / "index.html" if path.endswith("/") and target.is_dir() else target

        def send(self, status: int, content_type: str, body: bytes, head: bool) -> None:
            if content_type.startswith("text/html"):
                body = body.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            seen = state.version
            try:
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                while True:
                    with state.changed:
                        state.changed.wait_for(state.newer_than(seen), timeout=KEEPALIVE_SECONDS)
                        version = state.version
                    message = f"event: reload\ndata: {version}\n\n" if version != seen else ": keep-alive\n\n"
                    seen = version
                    self.wfile.write(message.encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops the preview as Ctrl-C does, cleaning up after it."""
    raise KeyboardInterrupt


def serve(root: Path, host: str, port: int, open_browser: bool, say: Callable[[str], None]) -> int:
    url = f"http://{host}:{port}/"
    out = root / CACHE_DIR / PREVIEW
    state = PreviewState()
    rebuilder = Rebuilder(root, out, url, state, say)
    rebuilder.rebuild([str(root / SITE_FILE)])
    server = http.server.ThreadingHTTPServer((host, port), make_handler(out, state))
    server.daemon_threads = True
    observer = Observer()
    handler = _Events(rebuilder, root)
    for name in WATCHED:
        (root / name).mkdir(exist_ok=True)
        observer.schedule(handler, str(root / name), recursive=True)
    observer.schedule(handler, str(root), recursive=False)  # site.yaml
    observer.start()
    threading.Thread(target=rebuilder.run_forever, daemon=True, name="rebuild").start()
    indexer = threading.Thread(target=rebuilder.index_forever, daemon=True, name="search")
    indexer.start()
    say(f"serving the preview at {url} (Ctrl-C stops)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        observer.stop()
        server.server_close()
        rebuilder.stopping = True
        rebuilder.search_due.set()
        stop_indexing()
        indexer.join(10)  # lets a stopped Pagefind run clear its work folder
    return 0
