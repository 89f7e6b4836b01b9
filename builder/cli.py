"""The command line: gongkai normalize | … (run from the site's root folder)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TypeAlias

from builder import __version__
from builder.commands import (
    cmd_build,
    cmd_check,
    cmd_deploy,
    cmd_history,
    cmd_normalize,
    cmd_report,
    cmd_serve,
    cmd_status,
    error,
)
from builder.errors import GongkaiError
from builder.i18n import CHINESE, _, pick, site_language, use, use_for_content

# What add_subparsers returns: each subcommand's parser is made through it.
_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def parser() -> argparse.ArgumentParser:
    """The whole command line. It is made for each run, after the language is chosen, because
    its help texts are messages too; the subcommands come in the order `--help` lists them."""
    root = _root_parser()
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_normalize_parser, _build_parser, _status_parser, _history_parser, _report_parser,
                _check_parser, _deploy_parser, _serve_parser):
        add(commands)
    return root


def _root_parser() -> argparse.ArgumentParser:
    """The options taken before any subcommand. --lang is read early by `main` as well; it is
    declared here so that --help lists it and a wrong value gets argparse's error."""
    root = argparse.ArgumentParser(prog="gongkai",
                                   description=_("Static sites for government information-disclosure notices."))
    root.add_argument("--version", action="version", version=f"gongkai {__version__}",
                      help=_("show program's version number and exit"))
    root.add_argument("--lang", choices=("zh", "en"), help=_("the language gongkai speaks (default: site.yaml's "
                                                             "language, or English when LANG is English)"))
    return root


def _normalize_parser(commands: _Commands) -> None:
    """normalize: which raw files to read and where their Markdown goes; --force and --report
    for the editor who fixes files by hand, --explain for one who asks why a field was read so."""
    normalize = commands.add_parser("normalize", help=_("raw portal text → front-matter Markdown in content/"))
    normalize.add_argument("sources", nargs="*", default=["seeds"], metavar="SRC",
                           help=_("raw notice files or folders (default: seeds/)"))
    normalize.add_argument("--out", default="content/notices", help=_("output folder (default: content/notices)"))
    normalize.add_argument("--force", action="store_true", help=_("overwrite files edited by hand"))
    normalize.add_argument("--report", metavar="FILE",
                           help=_("write a JSON report: stripped furniture and the raw lines behind each key"))
    normalize.add_argument("--explain", metavar="FILE",
                           help=_("print how FILE would be read (each field's candidates and the rule that chose one, "
                                "each line's role); writes nothing"))
    normalize.set_defaults(run=cmd_normalize)


def _build_parser(commands: _Commands) -> None:
    """build: where the site goes and for which address and day, and how the work is spread
    (--jobs, --cluster) for sites too large for one process."""
    build = commands.add_parser("build", help=_("content/ + theme/ + site.yaml → the static site"))
    build.add_argument("--out", default="public", help=_("output folder (default: public)"))
    build.add_argument("--base-url", help=_("the URL the site is published at (default: base_url in site.yaml)"))
    build.add_argument("--drafts", action="store_true", help=_("include notices marked draft: true"))
    build.add_argument("--jobs", type=int, help=_("processes for a large build (default: all cores)"))
    build.add_argument("--as-of", metavar="DATE", help=_("the day statuses are judged on: YYYY-MM-DD or today "
                                                        "(default: the newest date in the content)"))
    build.add_argument("--cluster", metavar="ADDRESS",
                       help=_("render the notice pages and the search index on a Dask cluster, such as "
                              "tcp://scheduler:8786 (content/ and the output on storage its workers share)"))
    build.add_argument("--force", action="store_true",
                       help=_("replace an output folder that is not empty and that gongkai did not build"))
    build.set_defaults(run=cmd_build)


def _status_parser(commands: _Commands) -> None:
    """status: the day to judge on, or --next for the day the site must be rebuilt."""
    status = commands.add_parser("status", help=_("each notice's status (有效, 已废止 …) on a day; "
                                                "--next: when one changes"))
    status.add_argument("--as-of", metavar="DATE",
                        help=_("YYYY-MM-DD or today (default: the newest date in the content)"))
    status.add_argument("--next", action="store_true", help=_("print the next day on which any status changes"))
    status.set_defaults(run=cmd_status)


def _history_parser(commands: _Commands) -> None:
    """history: one notice's file, and with --diff the versions to compare."""
    history = commands.add_parser("history", help=_("a notice's versions from git; --diff: what changed in its text"))
    history.add_argument("file", metavar="FILE", help=_("the notice's content file"))
    history.add_argument("--diff", nargs="*", metavar="REV",
                         help=_("compare two versions (default: the two newest), marking [-removed-] and {+added+}"))
    history.set_defaults(run=cmd_history)


def _report_parser(commands: _Commands) -> None:
    """report: the year is required, since an annual report is always about one year."""
    report = commands.add_parser("report", help=_("the annual report's counts per publisher, as a table, CSV and JSON"))
    report.add_argument("--year", type=int, required=True, help=_("the report's year, e.g. 2024"))
    report.add_argument("--out", default="reports", help=_("folder for the CSV and JSON files (default: reports)"))
    report.set_defaults(run=cmd_report)


def _check_parser(commands: _Commands) -> None:
    """check: what to check and how strictly, the findings' form for a person or for CI, and
    --fix-personal-data, which the inspection's findings on personal numbers ask for."""
    check = commands.add_parser("check", help=_("check the built site and inspect it as the 政府网站 inspections do"))
    check.add_argument("--out", default="public", help=_("the built site (default: public)"))
    check.add_argument("--as-of", metavar="DATE",
                       help=_("the day to judge dates on: YYYY-MM-DD or today "
                              "(default: the newest date in the content)"))
    check.add_argument("--format", choices=("table", "json"), default="table",
                       help=_("findings as a table, or as JSON on standard output for CI"))
    check.add_argument("--strict", action="store_true", help=_("exit status 1 for 扣分 findings too, not only 不合格"))
    check.add_argument("--fix-personal-data", action="store_true",
                       help=_("mask ID, mobile and bank card numbers in the content files (and check nothing else)"))
    check.add_argument("--dry-run", action="store_true",
                       help=_("with --fix-personal-data: list the numbers, change nothing"))
    check.set_defaults(run=cmd_check)


def _deploy_parser(commands: _Commands) -> None:
    """deploy: which target and which built site; a rehearsal (--dry-run), a way back
    (--rollback) and the two ways round check's verdict or a missing build."""
    deploy = commands.add_parser("deploy", help=_("publish the built site to a target in site.yaml, atomically"))
    deploy.add_argument("target", nargs="?", metavar="NAME", help=_("the target under deploy: (needed if several)"))
    deploy.add_argument("--out", default="public", help=_("the built site (default: public)"))
    deploy.add_argument("--dry-run", action="store_true", help=_("print what would be added, changed and removed"))
    deploy.add_argument("--rollback", action="store_true", help=_("make the previous release live again"))
    deploy.add_argument("--build", action="store_true", help=_("build first, for the target's address"))
    deploy.add_argument("--force", action="store_true", help=_("deploy even when gongkai check finds 不合格"))
    deploy.set_defaults(run=cmd_deploy)


def _serve_parser(commands: _Commands) -> None:
    """serve: where the preview listens (the loopback only unless asked), and whether to open it."""
    serve = commands.add_parser("serve", help=_("live preview: rebuild on every change, reload open pages"))
    serve.add_argument("--host", default="127.0.0.1", help=_("address to listen on (default: loopback only)"))
    serve.add_argument("--port", type=int, default=8000, help=_("port (default: 8000)"))
    serve.add_argument("--open", action="store_true", help=_("open the preview in a browser"))
    serve.set_defaults(run=cmd_serve)


def main(argv: list[str] | None = None) -> int:
    """A command line run to its exit status: a GongkaiError is one line per problem, never
    a traceback; Ctrl-C is 130; a reader that stops reading (`| head`) is no error."""
    # The language is chosen before the parser is made: its help and errors are messages too.
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    use(pick(early.parse_known_args(argv)[0].lang, os.environ, Path.cwd()))
    use_for_content(site_language(Path.cwd()) or CHINESE)
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except GongkaiError as err:
        for problem in err.problems:
            error(str(problem))
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # a reader such as `head` stopped reading: nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run() -> None:
    """The command's entry point. It ends the process without freeing its objects one by one:
    after a build of thousands of notices that teardown is a sizeable part of a rebuild."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
