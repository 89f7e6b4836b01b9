"""The command line: gongkai normalize | … (run from the site's root folder)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from builder import __version__
from builder.config import load_config
from builder.errors import GongkaiError
from builder.fsio import write_atomic
from builder.normalize.run import find_inputs, normalize_files
from builder.site import build_site


def _say(message: str) -> None:
    print(message, flush=True)


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def cmd_normalize(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    config = load_config(Path.cwd())
    files, problems = find_inputs(args.sources)
    if not files and not problems:
        _error(f"no raw notice files (*.txt, *.html) in {', '.join(args.sources)}")
        return 1
    outcome = normalize_files(files, Path(args.out), config.tags, args.force, _say)
    problems.extend(outcome.problems)
    for problem in problems:
        _error(str(problem))
    if args.report:
        write_atomic(Path(args.report), json.dumps(outcome.report, ensure_ascii=False, indent=1) + "\n")
    seconds = time.perf_counter() - started
    _say(f"normalized {len(files)} files: {outcome.written} written, {outcome.unchanged} unchanged, "
         f"{outcome.kept} kept (edited by hand), {len(problems)} failed, {seconds:.2f} s")
    return 1 if problems else 0


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    config = load_config(Path.cwd(), required=True)
    if args.base_url:
        config = replace(config, base_url=args.base_url if args.base_url.endswith("/") else args.base_url + "/")
    out = Path(args.out)
    result = build_site(Path.cwd(), config, out, drafts=args.drafts, jobs=args.jobs)
    seconds = time.perf_counter() - started
    _say(f"built {out.as_posix()}/: {result.written} written, {result.skipped} skipped, "
         f"{result.removed} removed in {seconds:.2f} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from builder.serve import serve  # watchdog and the server load only for this command

    load_config(Path.cwd(), required=True)
    return serve(Path.cwd(), args.host, args.port, args.open, _say)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="gongkai",
                                   description="Static sites for government information-disclosure notices.")
    root.add_argument("--version", action="version", version=f"gongkai {__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    normalize = commands.add_parser("normalize", help="raw portal text → front-matter Markdown in content/")
    normalize.add_argument("sources", nargs="*", default=["seeds"], metavar="SRC",
                           help="raw notice files or folders (default: seeds/)")
    normalize.add_argument("--out", default="content/notices", help="output folder (default: content/notices)")
    normalize.add_argument("--force", action="store_true", help="overwrite files edited by hand")
    normalize.add_argument("--report", metavar="FILE",
                           help="write a JSON report: stripped furniture and the raw lines behind each key")
    normalize.set_defaults(run=cmd_normalize)

    build = commands.add_parser("build", help="content/ + theme/ + site.yaml → the static site")
    build.add_argument("--out", default="public", help="output folder (default: public)")
    build.add_argument("--base-url", help="the URL the site is published at (default: base_url in site.yaml)")
    build.add_argument("--drafts", action="store_true", help="include notices marked draft: true")
    build.add_argument("--jobs", type=int, help="processes for a large build (default: all cores)")
    build.set_defaults(run=cmd_build)

    serve = commands.add_parser("serve", help="live preview: rebuild on every change, reload open pages")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the preview in a browser")
    serve.set_defaults(run=cmd_serve)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except GongkaiError as err:
        for problem in err.problems:
            _error(str(problem))
        return 1
    except KeyboardInterrupt:
        return 130
