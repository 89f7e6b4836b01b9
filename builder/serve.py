"""`gongkai serve`: live preview while editing.

The preview is built into .gongkai-cache/preview/ (public/ is left alone) by the same
incremental build as `gongkai build`, so an edit re-renders only the pages that show it.
watchdog reports changes; a burst of events (an editor's atomic save, a git checkout)
is gathered into one rebuild. Open pages hear of each rebuild over Server-Sent Events.
A build error never stops the server: pages show it until the file is fixed.
"""

from __future__ import annotations

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
from builder.errors import GongkaiError, Problem
from builder.i18n import _
from builder.incremental import Memory
from builder.normalize.run import RAW_SUFFIXES, normalize_files
from builder.paths import PREVIEW
from builder.preview_errors import error_page
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
    """What the server shows: the current build's number, or what stopped it (the problems
    found, or a crash's traceback)."""

    version: int = 0
    error: tuple[Problem, ...] | str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, error: tuple[Problem, ...] | str | None) -> None:
        """Record a build that ended (its error, or None) and wake every page waiting for one."""
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
        self.memory = Memory()  # the incremental build's state, kept between rebuilds
        self.memory_lock = threading.Lock()  # the search indexer reads and writes `memory` too
        self.search_due = threading.Event()
        self.stopping = False
        self.arrived = threading.Condition()
        self.last_event = 0.0

    def notice(self, path: str) -> None:
        """Take a changed path for the next rebuild."""
        with self.arrived:
            self.pending.add(path)
            self.last_event = time.monotonic()
            self.arrived.notify()

    def run_forever(self) -> None:
        """The rebuild thread: a rebuild once a burst of changes goes quiet, or once it has
        waited MAX_WAIT_SECONDS, so an editor's save and a checkout each cost one."""
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

    def rebuild(self, paths: list[str], first: bool = False) -> None:
        """Normalise the raw files changed under seeds/, then build the preview. What stops a
        build (its problems, or a crash's traceback) is published for the pages to show;
        the server goes on."""
        started = time.perf_counter()
        try:
            config = replace(load_config(self.root, required=True), base_url=self.base_url)
            raw = [p for p in paths if Path(p).is_file() and Path(p).suffix.lower() in RAW_SUFFIXES
                   and Path(p).resolve().is_relative_to((self.root / "seeds").resolve())]
            if raw:
                outcome = normalize_files([Path(p).relative_to(self.root).as_posix() for p in raw],
                                          self.root / "content/notices", config.tags, False, self.say)
                for problem in outcome.problems:
                    self.say("  " + _("warning: {message}").format(message=problem))
            with self.memory_lock:
                result = build_site(self.root, config, self.out, memory=self.memory, defer_search=True)
        except GongkaiError as err:
            self.state.publish(err.problems)
            self.say(_("error: {message}").format(message=_("build failed; the preview shows why:")) + "\n  "
                     + "\n  ".join(map(str, err.problems)))
            return
        except Exception:  # a bug must not stop the preview: show it, keep serving
            self.state.publish(traceback.format_exc())
            self.say(_("error: {message}").format(message=_("build crashed:")) + f"\n{traceback.format_exc()}")
            return
        milliseconds = round((time.perf_counter() - started) * 1000)
        self.state.publish(None)
        if first:
            self.say(_("built the preview: {written} written, {removed} removed in {ms} ms")
                     .format(written=result.written, removed=result.removed, ms=milliseconds))
        else:
            self.say(_("rebuilt after {files}: {written} written, {removed} removed in {ms} ms")
                     .format(files=self.shown(paths), written=result.written, removed=result.removed, ms=milliseconds))
        for warning in result.warnings:
            self.say("  " + _("warning: {message}").format(message=warning))
        self.search_due.set()

    def shown(self, paths: list[str]) -> str:
        """The changed files, as the rebuild's line names them: the first five."""
        names = ", ".join(Path(p).relative_to(self.root).as_posix() if Path(p).is_relative_to(self.root) else p
                          for p in paths[:5])
        return names + (_(" and {count} more").format(count=len(paths) - 5) if len(paths) > 5 else "")

    def index_forever(self) -> None:
        """Brings the search index up to date after rebuilds, on its own thread: indexing a
        shard takes far longer than a rebuild, and the next edit's rebuild must not wait for it."""
        while True:
            self.search_due.wait()
            self.search_due.clear()
            if self.stopping:
                return
            try:
                refresh_search_index(self.out, self.memory, self.memory_lock)
            except GongkaiError as err:
                if not self.stopping:
                    self.say(_("warning: {message}").format(message=_("search index not updated: {problems}")
                                                             .format(problems="; ".join(map(str, err.problems)))))
            except Exception:  # the preview goes on; the next rebuild tries again
                self.say(_("warning: {message}").format(message=_("search indexing crashed:"))
                         + f"\n{traceback.format_exc()}")


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


def make_handler(site: Path, state: PreviewState, root: Path) -> type[http.server.BaseHTTPRequestHandler]:
    """The handler class for one preview. The server makes a handler per request from a class,
    so the preview's folder, state and site root are bound into a class of their own."""

    class Handler(PreviewHandler):
        pass

    Handler.site, Handler.state, Handler.root = site.resolve(), state, root
    return Handler


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serves the preview's pages as the built site would, with a script that reloads them
    after each rebuild, and the error page in their place while the site does not build."""

    protocol_version = "HTTP/1.1"
    server_version = "gongkai-preview"
    site: Path  # the preview's output folder, resolved: nothing outside it is served
    state: PreviewState
    root: Path  # the site's root folder, whose files an error page quotes

    def log_message(self, format: str, *args: object) -> None:
        """Says nothing: the terminal is for the rebuilds' lines, which a line per request would bury."""

    def do_HEAD(self) -> None:
        """Answers as GET does, without the body: link checkers ask so."""
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        """Routing: the event stream; the error page in place of every page while the site does
        not build (its stylesheets, scripts and the pages asked for as last built, ?last, are
        still served); else the file the path names."""
        path, query = urlsplit(self.path)[2:4]
        if path == EVENTS_PATH:
            self.events()
            return
        error = self.state.error
        if error is not None and query != "last" and (path.endswith("/") or path.endswith(".html")):
            self.send(500, "text/html; charset=utf-8", error_page(error, self.root, self.site), head)
            return
        self.serve_file(path, head)

    def serve_file(self, path: str, head: bool) -> None:
        """A file of the built site, as a static host would answer for it: a folder's path
        without its slash is redirected, a missing file gets the site's own 404 page."""
        target = self.resolve(path)
        if target is None:
            self.send(400, "text/plain; charset=utf-8", b"bad path\n", head)
        elif target.is_dir():
            self.redirect(path + "/")
        elif target.is_file():
            self.send(200, CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
                      or "application/octet-stream", target.read_bytes(), head)
        else:
            missing = self.site / "404.html"
            self.send(404, "text/html; charset=utf-8",
                      missing.read_bytes() if missing.is_file() else b"not found\n", head)

    def resolve(self, path: str) -> Path | None:
        """The file a URL path names, or None when it tries to leave the site."""
        decoded = unquote(path)
        if "\x00" in decoded or "\\" in decoded or any(part == ".." for part in decoded.split("/")):
            return None
        target = (self.site / decoded.lstrip("/")).resolve()
        if not target.is_relative_to(self.site):
            return None
        return target / "index.html" if path.endswith("/") and target.is_dir() else target

    def redirect(self, location: str) -> None:
        """A folder asked for without its slash: its page's relative links need the slash."""
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send(self, status: int, content_type: str, body: bytes, head: bool) -> None:
        """Any answer with a body: a page gets the reload script, and nothing is cached, since
        the next rebuild may change it."""
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
        """The event stream an open page listens on: a reload event after each rebuild, and a
        comment when none came for a while, so that a closed page's connection is found out."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = self.state.version
        try:
            self.write_event(": connected\n\n")
            while True:
                version = self.next_build(seen)
                self.write_event(f"event: reload\ndata: {version}\n\n" if version != seen else ": keep-alive\n\n")
                seen = version
        except (BrokenPipeError, ConnectionResetError):
            return

    def next_build(self, seen: int) -> int:
        """The newest build's number once it is newer than `seen`, or `seen` after a keep-alive's wait."""
        state = self.state
        with state.changed:
            state.changed.wait_for(state.newer_than(seen), timeout=KEEPALIVE_SECONDS)
            return state.version

    def write_event(self, message: str) -> None:
        """One message of the stream, sent at once: the page is waiting for it."""
        self.wfile.write(message.encode())
        self.wfile.flush()


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops the preview as Ctrl-C does, cleaning up after it."""
    raise KeyboardInterrupt


def serve(root: Path, host: str, port: int, open_browser: bool, say: Callable[[str], None]) -> int:
    """`gongkai serve`: build the preview, serve it, rebuild on every change, until Ctrl-C
    or SIGTERM; then the watcher and any indexing stop."""
    url = f"http://{host}:{port}/"
    out = root / CACHE_DIR / PREVIEW
    state = PreviewState()
    rebuilder = Rebuilder(root, out, url, state, say)
    rebuilder.rebuild([str(root / SITE_FILE)], first=True)
    server = http.server.ThreadingHTTPServer((host, port), make_handler(out, state, root))
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
    say(_("serving the preview at {url} (Ctrl-C stops)").format(url=url))
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say(_("stopped"))
    finally:
        observer.stop()
        server.server_close()
        rebuilder.stopping = True
        rebuilder.search_due.set()
        stop_indexing()
        indexer.join(10)  # lets a stopped Pagefind run clear its work folder
    return 0
