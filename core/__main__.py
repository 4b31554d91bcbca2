"""Command line for administrators, people who edit data/ by hand, and scheduled jobs.

python -m core validate [--data DIR]        print every problem; exit 1 if any
python -m core export --json [--plan ID]    a plan as JSON on stdout (data/'s, or the store's plan ID)
python -m core plans [--json]               the store's plans: id, name, first–last year, state
python -m core plan-new --from ID --id NEW --name NAME --start YEAR --end YEAR --carry all|continuing|none
                                            draft the next plan from an earlier one; prints what it carried
python -m core import FILE [--plan ID] [--apply]
                                            check a file of new indicator values (the app's template
                                            or Sotkanet) and print the preview or the problems;
                                            --apply imports all of it or nothing
python -m core backup FILE.xlsx|FILE.zip [--plan ID]
                                            write the same backup as the Uudet tiedot page
python -m core restore FILE [--database-url URL] [--lang fi|en]
                                            restore a backup (.xlsx or .zip from Uudet tiedot)
                                            into an EMPTY store; exit 1 if refused
python -m core sotkanet [--years 2021 2023 …] [--plan ID] [--apply] [--database-url URL] [--lang fi|en]
                                            fetch the plan's mapped indicators from Sotkanet and
                                            print the preview (or the problems: exit 1, nothing
                                            written); --apply saves it

Every command that uses the store finds it like ``restore`` does: --database-url, else
KYMLAPSET_DATABASE_URL, else the local SQLite file (``config.store_url``); a new store is seeded
from data/. Exit 1, with a message and nothing written, on any problem.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from core.base import config
from core.base.i18n import DEFAULT_LANG, LANGS, t
from core.io.export_json import plan_to_dict
from core.plan.loader import validate
from core.plan.model import Plan

CLI_EDITOR = "cli.editor"  # the history's "who" for the command line's writes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=config.DATA_DIR, help="data folder (default: data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="check every file of data/")

    def store_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--database-url",
            default="",
            help="SQLAlchemy URL of the store (default: KYMLAPSET_DATABASE_URL, else the local SQLite file)",
        )
        p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the messages")

    exp = sub.add_parser("export", help="export a plan")
    exp.add_argument("--json", action="store_true", required=True, help="JSON on stdout")
    exp.add_argument("--plan", default="", help="a plan of the store (default: the plan of data/)")
    store_args(exp)
    res = sub.add_parser("restore", help="restore a backup (.xlsx or .zip) into an empty store")
    res.add_argument("file", type=Path, help="the backup: the workbook or the CSV zip of Uudet tiedot")
    store_args(res)
    sot = sub.add_parser("sotkanet", help="fetch the plan's indicators from THL's Sotkanet (preview; --apply saves)")
    sot.add_argument(
        "--years",
        type=int,
        nargs="+",
        default=None,
        help="years to fetch (default: every year after the newest stored value, up to this year)",
    )
    sot.add_argument("--plan", default="", help="the plan whose indicators are fetched (default: today's)")
    sot.add_argument("--apply", action="store_true", help="save the fetched values (all or nothing)")
    store_args(sot)
    pls = sub.add_parser("plans", help="list the store's plans")
    pls.add_argument("--json", action="store_true", help="a JSON list of objects")
    store_args(pls)
    new = sub.add_parser("plan-new", help="draft the next plan from an earlier one")
    new.add_argument("--from", dest="source", required=True, help="the plan it is drafted from")
    new.add_argument("--id", dest="new_id", required=True, help="the new plan's id, e.g. kymenlaakso-2026-2029")
    new.add_argument("--name", required=True, help="the new plan's name")
    new.add_argument("--start", required=True, help="first year")
    new.add_argument("--end", required=True, help="last year")
    new.add_argument("--carry", required=True, choices=("all", "continuing", "none"), help="measures to carry on")
    store_args(new)
    imp = sub.add_parser("import", help="check (and with --apply import) new indicator values")
    imp.add_argument("file", type=Path, help="the app's template (CSV/.xlsx) or a Sotkanet file (CSV/.xlsx/JSON)")
    imp.add_argument("--plan", default="", help="the plan whose indicators it is checked against (default: today's)")
    imp.add_argument("--apply", action="store_true", help="import it (all or nothing)")
    store_args(imp)
    bak = sub.add_parser("backup", help="write a backup (.xlsx workbook or .zip of CSV files)")
    bak.add_argument("file", type=Path, help="FILE.xlsx or FILE.zip")
    bak.add_argument("--plan", default="", help="the plan (default: the plan in force today, else the newest)")
    store_args(bak)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "restore":
        return restore(args.file, args.database_url, args.lang)
    plan, problems = validate(args.data)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem(s) found in {args.data}", file=sys.stderr)
        return 1
    assert plan is not None
    if args.command == "validate":
        print(
            f"OK: {len(plan.indicators)} indicators, {len(plan.observations)} observations, "
            f"{len(plan.goals)} goals, {len(plan.subgoals)} sub-goals, {len(plan.actors)} actors, "
            f"{len(plan.measures)} measures"
        )
        return 0
    if args.command == "export" and not args.plan:
        return _print_json(plan_to_dict(plan))
    return _with_store(args, plan)


def _print_json(doc: object) -> int:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _with_store(args: argparse.Namespace, data_plan) -> int:  # noqa: ANN001 - a Plan
    """The commands that read or write the store: open it (seeding a new one from data/), run, close."""
    from core.store import DatabaseError, Editor, Store, StoreError, shown_url  # noqa: PLC0415

    lang = args.lang
    url = config.store_url(args.database_url)
    try:
        store = Store.open(url)
        store.seed(data_plan, events_rows=None if store.is_seeded() else _default_events(args.data))
    except (StoreError, DatabaseError, ValueError) as exc:
        print(t("cli.store_failed", lang, url=shown_url(url), error=_error_text(exc, lang)), file=sys.stderr)
        return 1
    editor = Editor(t(CLI_EDITOR, lang))
    try:
        if args.command == "plans":
            return _plans(store, args.json)
        plan_id = getattr(args, "plan", "") or store.default_plan_id(date.today())
        if args.command == "export":
            plan = store.load_plan(plan_id)
            rows = store.measures(plan_id=plan_id)[["measure_id", "carried_from"]].to_dict("records")
            carried = {r["measure_id"]: r["carried_from"] if isinstance(r["carried_from"], str) else None for r in rows}
            return _print_json(plan_to_dict(plan, carried))
        if args.command == "plan-new":
            return _plan_new(store, args, editor, lang)
        if args.command == "import":
            return _import(store, store.load_plan(plan_id), args.file, args.apply, editor, lang)
        if args.command == "backup":
            return _backup(store, store.load_plan(plan_id), args.file, lang)
        if args.command == "sotkanet":
            return sotkanet(store.load_plan(plan_id), args.years, args.apply, args.database_url, lang)
    except StoreError as exc:
        print(exc.text(lang), file=sys.stderr)
        return 1
    except DatabaseError as exc:
        print(t("cli.store_failed", lang, url=shown_url(url), error=type(exc).__name__), file=sys.stderr)
        return 1
    finally:
        store.close()
    raise AssertionError(args.command)


def _default_events(data_dir: Path) -> list[dict]:
    """data/events.csv's vuosikello cycle, as the app seeds a new store with it."""
    path = Path(data_dir) / "events.csv"
    if not path.exists():
        return []
    from core.views.vuosikello import load_default_events  # noqa: PLC0415

    return load_default_events(path)


def _error_text(exc: Exception, lang: str) -> str:
    text = getattr(exc, "text", None)
    return text(lang) if callable(text) else type(exc).__name__


def _plans(store, as_json: bool) -> int:  # noqa: ANN001 - a Store
    infos = store.plans()
    if as_json:
        return _print_json(
            [
                {
                    "id": p.plan_id,
                    "name": p.name_fi,
                    "period_start": p.period_start,
                    "period_end": p.period_end,
                    "state": p.state.value,
                }
                for p in infos
            ]
        )
    for p in infos:
        print(f"{p.plan_id}\t{p.name_fi}\t{p.period_start}–{p.period_end}\t{p.state.value}")
    return 0


def _plan_new(store, args: argparse.Namespace, editor, lang: str) -> int:  # noqa: ANN001
    report = store.create_plan_from(
        args.source, args.new_id, args.name, args.start, args.end, args.carry, editor
    )  # raises StoreError (printed by the caller) on bad input; nothing is written then
    info = report.plan
    print(
        t(
            "cli.plan_new.done",
            lang,
            id=info.plan_id,
            start=info.period_start,
            end=info.period_end,
            source=info.source_plan_id,
            goals=report.goals,
            subgoals=report.subgoals,
            carried=len(report.carried) + len(report.carried_changed),
            left=len(report.left),
            indicators=len(report.kept) + len(report.added),
            events=report.events,
        )
    )
    for old, new in [*report.carried, *report.carried_changed]:
        print(f"  {old} → {new}")
    return 0


def _import(store, plan, file: Path, apply: bool, editor, lang: str) -> int:  # noqa: ANN001
    from core.io import importer  # noqa: PLC0415

    try:
        content = file.read_bytes()
    except OSError as exc:
        print(t("restore.cli.no_file", lang, file=file, error=exc.strerror or type(exc).__name__), file=sys.stderr)
        return 1
    result = importer.parse_import(content, file.name, plan)
    if result.errors:
        print(importer.problems_text(result.errors, lang), file=sys.stderr)
        print(t("cli.import.refused", lang), file=sys.stderr)
        return 1
    frame = importer.preview(result, store.observations())
    counts = importer.preview_counts(frame)
    print(importer.preview_for_display(frame, lang).to_string(index=False))
    print(t("data.preview", lang, **counts))
    if not apply:
        print(t("cli.import.dry_run", lang))
        return 0
    try:
        done = importer.apply_import(store, result, editor)
    except importer.ImportRefused as exc:
        print(importer.problems_text(exc.problems, lang), file=sys.stderr)
        print(t("cli.import.refused", lang), file=sys.stderr)
        return 1
    print(t("cli.import.done", lang, file=file.name, **done))
    return 0


def _backup(store, plan, file: Path, lang: str) -> int:  # noqa: ANN001
    from core.io import exporter  # noqa: PLC0415

    suffix = file.suffix.lower()
    if suffix not in (".xlsx", ".zip"):
        print(t("cli.backup.suffix", lang, file=file.name), file=sys.stderr)
        return 1
    content = exporter.export_workbook(plan, store) if suffix == ".xlsx" else exporter.export_csv_zip(plan, store)
    try:
        file.write_bytes(content)
    except OSError as exc:
        print(t("cli.backup.failed", lang, file=file, error=exc.strerror or type(exc).__name__), file=sys.stderr)
        return 1
    print(t("cli.backup.done", lang, file=file, plan=plan.plan_id, size=len(content)))
    return 0


def restore(file: Path, database_url: str = "", lang: str = DEFAULT_LANG) -> int:
    """Restore a backup into an empty store with every check of the import; print a summary or the problems."""
    from core.io.exporter import BackupError, read_backup, restore_store
    from core.store import DatabaseError, shown_url

    url = config.store_url(database_url)
    shown = shown_url(url)  # "?" for an unparsable URL: Store.open refuses it below
    try:
        content = file.read_bytes()
    except OSError as exc:
        print(t("restore.cli.no_file", lang, file=file, error=exc.strerror or type(exc).__name__), file=sys.stderr)
        print(t("restore.cli.refused", lang), file=sys.stderr)
        return 1
    try:
        store = restore_store(read_backup(content, file.name), url)
        counts = {
            "measures": len(store.measures()),
            "observations": len(store.observations()),
            "evaluations": len(store.evaluations()),
            "events": len(store.events()),
        }
    except BackupError as exc:
        print(exc.text(lang), file=sys.stderr)
        print(t("restore.cli.refused", lang), file=sys.stderr)
        return 1
    except (DatabaseError, ValueError) as exc:
        print(t("restore.cli.database", lang, url=shown, error=type(exc).__name__), file=sys.stderr)
        print(t("restore.cli.refused", lang), file=sys.stderr)
        return 1
    except (SyntaxError, MemoryError, RecursionError, OSError, EOFError) as exc:
        # a reader's own failure that the backup checks did not turn into a message: still no traceback
        print(t("restore.cli.no_file", lang, file=file, error=type(exc).__name__), file=sys.stderr)
        print(t("restore.cli.refused", lang), file=sys.stderr)
        return 1
    print(t("restore.cli.done", lang, file=file.name, url=shown, **counts))
    return 0


def sotkanet(plan: Plan, years: list[int] | None, apply: bool, database_url: str = "", lang: str = DEFAULT_LANG) -> int:
    """Fetch the mapped indicators from Sotkanet; print the preview or the problems; with ``apply`` save all or nothing."""
    from core.io import importer
    from core.io.sotkanet import (
        SotkanetClient,
        attribution,
        default_years,
        fetch_plan_values,
        ignored_texts,
        preview_for_display,
    )
    from core.store import DatabaseError, Editor, Store, StoreError, shown_url

    url = config.store_url(database_url)
    shown = shown_url(url)
    try:
        store = Store.open(url, plan)
        current = store.observations()
    except (StoreError, DatabaseError, ValueError) as exc:
        print(t("sotkanet.cli.database", lang, url=shown, error=type(exc).__name__), file=sys.stderr)
        return 1
    try:
        mapping = importer.load_mapping()
    except importer.MappingError as exc:
        print(exc.text(lang), file=sys.stderr)
        return 1
    years = years or default_years(plan, current, mapping)
    with SotkanetClient() as client:
        fetched = fetch_plan_values(plan, current, years, client, mapping)
    if not fetched.ok:
        print(importer.problems_text(fetched.result.errors, lang), file=sys.stderr)
        print(t("sotkanet.cli.problems", lang, n=len(fetched.result.errors)), file=sys.stderr)
        return 1
    counts = importer.preview_counts(fetched.preview)
    print(t("sotkanet.cli.preview", lang, years=", ".join(map(str, fetched.years)), **counts))
    print(preview_for_display(fetched, plan, lang).to_string(index=False))
    for line in ignored_texts(fetched, lang):
        print(line)
    print(attribution(lang))
    if not apply:
        print(t("sotkanet.cli.dry_run", lang))
        return 0
    editor = Editor(t("sotkanet.editor", lang, name=t("sotkanet.cli.editor", lang)))
    try:
        done = importer.apply_import(store, fetched.result, editor)
    except (StoreError, DatabaseError, importer.ImportRefused) as exc:
        print(t("sotkanet.cli.database", lang, url=shown, error=type(exc).__name__), file=sys.stderr)
        return 1
    print(t("sotkanet.cli.applied", lang, url=shown, added=done.get("added", 0), changed=done.get("changed", 0)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
