"""Command line for people who edit data/ by hand and for scripts.

    python -m core validate [--data DIR]        print every problem; exit 1 if any
    python -m core export --json [--data DIR]   the whole plan as JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import config
from core.export_json import plan_to_dict
from core.loader import validate


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=config.DATA_DIR, help="data folder (default: data/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="check every file of data/")
    exp = sub.add_parser("export", help="export the plan")
    exp.add_argument("--json", action="store_true", required=True, help="JSON on stdout")
    args = parser.parse_args(argv)

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
    json.dump(plan_to_dict(plan), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
