"""Command line for people who edit data/ by hand and for scripts.

python -m core validate [--data DIR]        print every problem; exit 1 if any
python -m core export --json [--data DIR]   the whole plan as JSON on stdout
python -m core restore FILE [--database-url URL] [--lang fi|en]
                                            restore a backup (.xlsx or .zip from Uudet tiedot)
                                            into an EMPTY store; exit 1 if refused
python -m core sotkanet [--years 2021 2023 …] [--apply] [--database-url URL] [--lang fi|en]
                                            fetch the plan's mapped indicators from Sotkanet and
                                            print the preview (or the problems: exit 1, nothing
                                            written); --apply saves it
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import config
from core.export_json import plan_to_dict
from core.i18n import DEFAULT_LANG, LANGS, t
from core.loader import validate
from core.model import Plan


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m core", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=config.DATA_DIR, help="data folder (default: data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="check every file of data/")
    exp = sub.add_parser("export", help="export the plan")
    exp.add_argument("--json", action="store_true", required=True, help="JSON on stdout")
    res = sub.add_parser("restore", help="restore a backup (.xlsx or .zip) into an empty store")
    res.add_argument("file", type=Path, help="the backup: the workbook or the CSV zip of Uudet tiedot")
    res.add_argument(
        "--database-url",
        default="",
        help="SQLAlchemy URL of the store (default: KYMLAPSET_DATABASE_URL, else the local SQLite file)",
    )
    res.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the messages")
    sot = sub.add_parser("sotkanet", help="fetch the plan's indicators from THL's Sotkanet (preview; --apply saves)")
    sot.add_argument(
        "--years",
        type=int,
        nargs="+",
        default=None,
        help="years to fetch (default: every year after the newest stored value, up to this year)",
    )
    sot.add_argument("--apply", action="store_true", help="save the fetched values (all or nothing)")
    sot.add_argument(
        "--database-url",
        default="",
        help="SQLAlchemy URL of the store (default: KYMLAPSET_DATABASE_URL, else the local SQLite file)",
    )
    sot.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the messages")
    args = parser.parse_args(argv)

    if args.command == "restore":
        return restore(args.file, args.database_url, args.lang)

    plan, problems = validate(args.data)
    if args.command == "sotkanet" and not problems:
        assert plan is not None
        return sotkanet(plan, args.years, args.apply, args.database_url, args.lang)
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
    json.dump(plan_to_dict(plan), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def restore(file: Path, database_url: str = "", lang: str = DEFAULT_LANG) -> int:
    """Restore a backup into an empty store with every check of the import; print a summary or the problems."""
    from core.exporter import BackupError, read_backup, restore_store
    from core.store import DatabaseError, shown_url

    url = database_url or str(config.get("database_url") or "") or config.default_sqlite_url()
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
    from core import importer
    from core.sotkanet import (
        SotkanetClient,
        attribution,
        default_years,
        fetch_plan_values,
        ignored_texts,
        preview_for_display,
    )
    from core.storage import Editor, Store, StoreError, shown_url
    from core.store import DatabaseError

    url = database_url or str(config.get("database_url") or "") or config.default_sqlite_url()
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
    sys.exit(main())
