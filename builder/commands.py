"""What each subcommand does, from its parsed arguments to its exit status (builder/cli.py
parses the command line and calls one of these)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from builder.config import SiteConfig, base_url_problem, load_config, with_slash
from builder.dates import as_of_day
from builder.errors import GongkaiError, Problem
from builder.fsio import write_atomic
from builder.i18n import _, ngettext

# Each command imports what it needs when it runs: a no-change build should not pay for
# compiling the normaliser's patterns, nor normalize for the theme and the renderer.


def say(message: str) -> None:
    """A line for the editor at the terminal, shown at once (a long build reports as it goes)."""
    print(message, flush=True)


def error(message: str) -> None:
    """One line on standard error, in the editor's language, naming what went wrong."""
    print(_("error: {message}").format(message=message), file=sys.stderr, flush=True)


def warn(message: object) -> None:
    """A problem the build went on past: the site is built, the editor should look."""
    say(_("warning: {message}").format(message=message))


def cmd_normalize(args: argparse.Namespace) -> int:
    """`gongkai normalize`: raw portal files into content files, or with --explain how one
    file would be read; exit status 1 when any file failed."""
    from builder.normalize.run import explain_file, find_inputs, normalize_files

    started = time.perf_counter()
    config = load_config(Path.cwd())
    if args.explain:
        explained, problem = explain_file(args.explain, config.tags)
        if problem:
            error(str(problem))
            return 1
        say(explained or "")
        return 0
    files, problems = find_inputs(args.sources)
    if not files and not problems:
        error(_("no raw notice files (*.txt, *.html) in {folders}").format(folders=", ".join(args.sources)))
        return 1
    outcome = normalize_files(files, Path(args.out), config.tags, args.force, say)
    problems.extend(outcome.problems)
    for problem in problems:
        error(str(problem))
    if args.report:
        write_atomic(Path(args.report), json.dumps(outcome.report, ensure_ascii=False, indent=1) + "\n")
    seconds = time.perf_counter() - started
    say(ngettext("normalized {count} file: {written} written, {unchanged} unchanged, {kept} kept (edited by hand), "
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
        warn(warning)
    say(_("built {out}/: {written} written, {skipped} skipped, {removed} removed in {seconds:.2f} s")
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
        say(life.next_change() or _("no status changes after {day}").format(day=life.as_of))
        return 0
    lines = status_lines(life)
    for line in lines:
        say(line)
    for warning in life.warnings:
        warn(warning)
    say(_("{count} notices on {day}: {in_force} in force, {otherwise} otherwise")
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
            say(f"{version.commit[:10]}  {version.day}  {version.subject}")
        return 0
    revisions = args.diff or [version.commit for version in found[1::-1]]  # the two newest, older first
    old, new = [*revisions, found[0].commit][:2]
    lines = changed_lines(text_at(Path.cwd(), args.file, old), text_at(Path.cwd(), args.file, new))
    for line in lines:
        say(line)
    say(_("{count} changed lines from {old} to {new}").format(count=len(lines), old=old[:10], new=new[:10]))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """`gongkai report`: a year's counts for the 政府信息公开工作年度报告, per publisher,
    printed and written as CSV and JSON."""
    from builder.status import annual_counts, write_report

    config = load_config(Path.cwd(), required=True)
    csv_file, json_file, table = write_report(annual_counts(Path.cwd(), config, args.year), args.year,
                                              Path(args.out))
    say(table)
    say(_("wrote {csv} and {json}").format(csv=csv_file.as_posix(), json=json_file.as_posix()))
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
        error(str(problem))
    site = read_site(root, config, out, checked, args.as_of)
    findings = inspect(site)
    if (out / "index.html").is_file():
        write_report(findings, RULES, config, site.as_of, root, out)
    if args.format == "json":
        sys.stdout.write(as_json(findings, site.as_of))
    else:
        # The site's own problems are the error lines above; the table shows the rest.
        for line in table([f for f in findings if f.rule != "site_unsound"], RULES):
            say(line)
        verdict = (ngettext("{count} problem", "{count} problems", len(checked.problems))
                   .format(count=len(checked.problems)) if checked.problems else _("no problems"))
        tally = _(", ").join(_("{count} {label}").format(count=count, label=label)
                             for label, count in counts(findings).items())
        say(_("checked {out}/: {pages} pages, {links} links, built for {base}: {verdict}; inspection as of {day}: "
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
        error(str(problem))
    numbers = files = 0
    for entry in site.entries:
        body, found = mask_personal(entry.body, site.as_of)
        for item in found:
            say(f"{entry.file}:{entry.body_line_at(item.start)}: {KINDS[item.kind].name} → {item.masked}")
        if found and not dry_run:
            write_atomic(entry.path, entry.text[:entry.body_start] + body)
        numbers, files = numbers + len(found), files + bool(found)
    said = (_("would mask {numbers} personal numbers in {files} content files") if dry_run
            else _("masked {numbers} personal numbers in {files} content files"))
    say(said.format(numbers=numbers, files=files))
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
        was, now = rollback(Path.cwd(), target, say)
        say(_("rolled back {target}: {was} → {now} is live, in {seconds:.2f} s")
             .format(target=target.name, was=was, now=now, seconds=time.perf_counter() - started))
        return 0
    out = Path(args.out)
    if args.build:
        built = build_site(Path.cwd(), replace(config, base_url=target.url or config.base_url), out)
        say(_("built {out}/: {written} written, {skipped} skipped, {removed} removed")
             .format(out=out.as_posix(), written=built.written, skipped=built.skipped, removed=built.removed))
    elif not out.is_dir():
        error(_("{out}/: no built site; run gongkai build first, or deploy --build").format(out=out.as_posix()))
        return 1
    done = deploy(Path.cwd(), config, target, out, args.dry_run, say, force=args.force)
    if done.unchanged:
        say(_("nothing changed on {target}: release {release} stays live, in {seconds:.2f} s")
             .format(target=target.name, release=done.release, seconds=time.perf_counter() - started))
        return 0
    said = (_("would deploy {target}: release {release}, {summary} in {seconds:.2f} s") if done.dry_run
            else _("deployed {target}: release {release}, {summary} in {seconds:.2f} s"))
    say(said.format(target=target.name, release=done.release, summary=done.plan.summary(),
                     seconds=time.perf_counter() - started))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """`gongkai serve`: the live preview, until Ctrl-C."""
    from builder.serve import serve

    load_config(Path.cwd(), required=True)
    return serve(Path.cwd(), args.host, args.port, args.open, say)
