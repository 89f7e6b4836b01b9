"""The command line: gongkai normalize | … (run from the site's root folder)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TypeAlias

from builder import __version__
from builder.config import SiteConfig, base_url_problem, load_config, with_slash
from builder.dates import as_of_day
from builder.errors import GongkaiError, Problem
from builder.fsio import write_atomic
from builder.i18n import CHINESE, _, ngettext, pick, site_language, use, use_for_content

# Each command imports what it needs when it runs: a no-change build should not pay for
# compiling the normaliser's patterns, nor normalize for the theme and the renderer.


def _say(message: str) -> None:
    print(message, flush=True)


def _error(message: str) -> None:
    print(_("error: {message}").format(message=message), file=sys.stderr, flush=True)


def _warn(message: object) -> None:
    _say(_("warning: {message}").format(message=message))


def cmd_normalize(args: argparse.Namespace) -> int:
    """`gongkai normalize`: raw portal files into content files, or with --explain how one
    file would be read; exit status 1 when any file failed."""
    from builder.normalize.run import explain_file, find_inputs, normalize_files

    started = time.perf_counter()
    config = load_config(Path.cwd())
    if args.explain:
        explained, problem = explain_file(args.explain, config.tags)
        if problem:
            _error(str(problem))
            return 1
        _say(explained or "")
        return 0
    files, problems = find_inputs(args.sources)
    if not files and not problems:
        _error(_("no raw notice files (*.txt, *.html) in {folders}").format(folders=", ".join(args.sources)))
        return 1
    outcome = normalize_files(files, Path(args.out), config.tags, args.force, _say)
    problems.extend(outcome.problems)
    for problem in problems:
        _error(str(problem))
    if args.report:
        write_atomic(Path(args.report), json.dumps(outcome.report, ensure_ascii=False, indent=1) + "\n")
    seconds = time.perf_counter() - started
    _say(ngettext("normalized {count} file: {written} written, {unchanged} unchanged, {kept} kept (edited by hand), "
                  "{failed} failed, {seconds:.2f} s",
                  "normalized {count} files: {written} written, {unchanged} unchanged, {kept} kept (edited by hand), "
                  "{failed} failed, {seconds:.2f} s", len(files))
         .format(count=len(files), written=outcome.written, unchanged=outcome.unchanged, kept=outcome.kept,
                 failed=len(problems), seconds=seconds))
    return 1 if problems else 0


def cmd_build(args: argparse.Namespace) -> int:
    """`gongkai build`: the site into --out, for the address and day given or site.yaml's,
    reported in one line."""
    from builder.site import build_site

    started = time.perf_counter()
    config = replace(load_config(Path.cwd(), required=True), as_of=as_of_day(args.as_of))
    if args.base_url is not None:
        failed = base_url_problem(args.base_url)
        if failed:
            raise GongkaiError(Problem("--base-url", failed))
        config = replace(config, base_url=with_slash(args.base_url))
    out = Path(args.out)
    result = build_site(Path.cwd(), config, out, drafts=args.drafts, jobs=args.jobs, force=args.force,
                        cluster=args.cluster or config.cluster)
    seconds = time.perf_counter() - started
    for warning in result.warnings:
        _warn(warning)
    _say(_("built {out}/: {written} written, {skipped} skipped, {removed} removed in {seconds:.2f} s")
         .format(out=out.as_posix(), written=result.written, skipped=result.skipped, removed=result.removed,
                 seconds=seconds))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """`gongkai status`: the notices not plainly in force on the day judged on, or with
    --next the day a status next changes, for an editor who schedules the rebuild."""
    from builder.status import site_life, status_lines

    config = load_config(Path.cwd(), required=True)
    life = site_life(Path.cwd(), replace(config, as_of=as_of_day(args.as_of)))
    if args.next:
        _say(life.next_change() or _("no status changes after {day}").format(day=life.as_of))
        return 0
    lines = status_lines(life)
    for line in lines:
        _say(line)
    for warning in life.warnings:
        _warn(warning)
    _say(_("{count} notices on {day}: {in_force} in force, {otherwise} otherwise")
         .format(count=len(life.notices), day=life.as_of, in_force=len(life.notices) - len(lines),
                 otherwise=len(lines)))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """`gongkai history`: a notice's versions from git, or with --diff what changed in its
    text between two of them (by default the two newest)."""
    from builder.history import changed_lines, text_at, versions

    found = versions(Path.cwd(), args.file)
    if args.diff is None:
        for version in found:
            _say(f"{version.commit[:10]}  {version.day}  {version.subject}")
        return 0
    revisions = args.diff or [version.commit for version in found[1::-1]]  # the two newest, older first
    old, new = [*revisions, found[0].commit][:2]
    lines = changed_lines(text_at(Path.cwd(), args.file, old), text_at(Path.cwd(), args.file, new))
    for line in lines:
        _say(line)
    _say(_("{count} changed lines from {old} to {new}").format(count=len(lines), old=old[:10], new=new[:10]))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """`gongkai report`: a year's counts for the 政府信息公开工作年度报告, per publisher,
    printed and written as CSV and JSON."""
    from builder.status import annual_counts, write_report

    config = load_config(Path.cwd(), required=True)
    csv_file, json_file, table = write_report(annual_counts(Path.cwd(), config, args.year), args.year,
                                              Path(args.out))
    _say(table)
    _say(_("wrote {csv} and {json}").format(csv=csv_file.as_posix(), json=json_file.as_posix()))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """`gongkai check`: the built site checked whole, then inspected as the 政府网站
    inspections do, the findings as a table or JSON and as a page of the site. Exit status 1
    for a broken site or a 不合格 finding (with --strict, a 扣分 one too), so CI can stop a
    deploy."""
    from builder.check import check_site
    from builder.inspection import RULES, Severity, inspect, read_site, worst
    from builder.inspection.report import REPORT, as_json, counts, table, write_report

    started = time.perf_counter()
    root, out = Path.cwd(), Path(args.out)
    config = load_config(root)
    if args.fix_personal_data:
        return _fix_personal_data(root, config, out, args.as_of, args.dry_run)
    checked = check_site(out)
    for problem in checked.problems:
        _error(str(problem))
    site = read_site(root, config, out, checked, args.as_of)
    findings = inspect(site)
    if (out / "index.html").is_file():
        write_report(findings, RULES, config, site.as_of, root, out)
    if args.format == "json":
        sys.stdout.write(as_json(findings, site.as_of))
    else:
        # The site's own problems are the error lines above; the table shows the rest.
        for line in table([f for f in findings if f.rule != "site_unsound"], RULES):
            _say(line)
        verdict = (ngettext("{count} problem", "{count} problems", len(checked.problems))
                   .format(count=len(checked.problems)) if checked.problems else _("no problems"))
        tally = _(", ").join(_("{count} {label}").format(count=count, label=label)
                             for label, count in counts(findings).items())
        _say(_("checked {out}/: {pages} pages, {links} links, built for {base}: {verdict}; inspection as of {day}: "
               "{tally}; report {out}/{report}; in {seconds:.2f} s")
             .format(out=args.out, pages=checked.pages, links=checked.links, base=checked.built_for, verdict=verdict,
                     day=site.as_of, tally=tally, report=REPORT, seconds=time.perf_counter() - started))
    failed = worst(findings)
    limit = Severity.DEDUCT if args.strict else Severity.FAIL
    return 1 if checked.problems or (failed is not None and failed <= limit) else 0


def _fix_personal_data(root: Path, config: SiteConfig, out: Path, as_of: str | None, dry_run: bool) -> int:
    from builder.inspection import read_site
    from builder.inspection.personal import KINDS, mask_personal

    site = read_site(root, config, out, None, as_of)
    for problem in site.problems:
        _error(str(problem))
    numbers = files = 0
    for entry in site.entries:
        body, found = mask_personal(entry.body, site.as_of)
        for item in found:
            _say(f"{entry.file}:{entry.body_line_at(item.start)}: {KINDS[item.kind].name} → {item.masked}")
        if found and not dry_run:
            write_atomic(entry.path, entry.text[:entry.body_start] + body)
        numbers, files = numbers + len(found), files + bool(found)
    said = (_("would mask {numbers} personal numbers in {files} content files") if dry_run
            else _("masked {numbers} personal numbers in {files} content files"))
    _say(said.format(numbers=numbers, files=files))
    return 1 if site.problems else 0


def cmd_deploy(args: argparse.Namespace) -> int:
    """`gongkai deploy`: the built site (built first, with --build) published to a target,
    rehearsed with --dry-run, or the previous release made live again with --rollback."""
    from builder.deploy import deploy, pick_target, rollback
    from builder.site import build_site

    started = time.perf_counter()
    config = load_config(Path.cwd(), required=True)
    target = pick_target(config, args.target)
    if args.rollback:
        was, now = rollback(Path.cwd(), target, _say)
        _say(_("rolled back {target}: {was} → {now} is live, in {seconds:.2f} s")
             .format(target=target.name, was=was, now=now, seconds=time.perf_counter() - started))
        return 0
    out = Path(args.out)
    if args.build:
        built = build_site(Path.cwd(), replace(config, base_url=target.url or config.base_url), out)
        _say(_("built {out}/: {written} written, {skipped} skipped, {removed} removed")
             .format(out=out.as_posix(), written=built.written, skipped=built.skipped, removed=built.removed))
    elif not out.is_dir():
        _error(_("{out}/: no built site; run gongkai build first, or deploy --build").format(out=out.as_posix()))
        return 1
    done = deploy(Path.cwd(), config, target, out, args.dry_run, _say, force=args.force)
    if done.unchanged:
        _say(_("nothing changed on {target}: release {release} stays live, in {seconds:.2f} s")
             .format(target=target.name, release=done.release, seconds=time.perf_counter() - started))
        return 0
    said = (_("would deploy {target}: release {release}, {summary} in {seconds:.2f} s") if done.dry_run
            else _("deployed {target}: release {release}, {summary} in {seconds:.2f} s"))
    _say(said.format(target=target.name, release=done.release, summary=done.plan.summary(),
                     seconds=time.perf_counter() - started))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """`gongkai serve`: the live preview, until Ctrl-C."""
    from builder.serve import serve

    load_config(Path.cwd(), required=True)
    return serve(Path.cwd(), args.host, args.port, args.open, _say)


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
            _error(str(problem))
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
