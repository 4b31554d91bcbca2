"""Bring texts from a branch that still has the Python catalogue into core/base/locales/*.yaml.

    python scripts/catalogue_merge.py OTHER/core/i18n.py          # show what would change
    python scripts/catalogue_merge.py OTHER/core/i18n.py --write  # change the YAML files

For merging: a branch made before the texts became data adds its keys to ``CATALOGUE`` in
core/base/i18n.py. This reads that dict (and its ``# comments``), renames keys as the move did, and
- appends keys the YAML files lack at the end of each file, under the branch's comments;
- rewrites a text the branch changed (it differs from tests/fixtures/catalogue_snapshot.json, the
  catalogue the parallel branches started from, so a branch's old text never undoes a newer one);
- lists keys the branch removed (left for a person to delete with their call sites);
- records what it brought in in tests/fixtures/catalogue_changes.json, so the snapshot test keeps
  proving that every text of a Python catalogue is in the YAML files.
Then run tests/core/test_catalogue_files.py and tests/core/test_urlstate_i18n_auth.py.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "core" / "base" / "locales"
SNAPSHOT = ROOT / "tests" / "fixtures" / "catalogue_snapshot.json"
CHANGES = ROOT / "tests" / "fixtures" / "catalogue_changes.json"
RENAMED = {
    "impact.melko korkea": "impact.melko_korkea",
    "importer.action.lisätään": "importer.action.lisataan",
    "importer.action.ei muutosta": "importer.action.ei_muutosta",
    "timeline.chart.status.": "timeline.chart.status.none",
    "timeline.chart.status.käynnissä": "timeline.chart.status.kaynnissa",
    "timeline.chart.status.päättynyt": "timeline.chart.status.paattynyt",
    "history.field.*": "history.field.row",
}


def new_key(old: str) -> str:
    """A key of the Python catalogue as the YAML files name it."""
    if old.startswith("exporter.loader."):
        return "loader." + old.removeprefix("exporter.loader.")
    return RENAMED.get(old, old)


def entry_text(key: str, value: object) -> str:
    """One key as the YAML files write it (one line, or three for a plural)."""
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False)


def python_catalogue(path: Path) -> dict[str, list[tuple[str, object]]]:
    """{lang: [("comment", text) | ("key", (key, value))…]} in source order."""
    src = path.read_text(encoding="utf-8")
    lines = src.splitlines()
    node = next(
        n
        for n in ast.parse(src).body
        if isinstance(n, (ast.AnnAssign, ast.Assign))
        and "CATALOGUE" in {getattr(t, "id", "") for t in ([n.target] if isinstance(n, ast.AnnAssign) else n.targets)}
    )
    out = {}
    for lang_node, dict_node in zip(node.value.keys, node.value.values, strict=True):
        items = [
            (k.lineno, "key", (ast.literal_eval(k), ast.literal_eval(v)))
            for k, v in zip(dict_node.keys, dict_node.values, strict=True)
        ]
        items += [
            (i, "comment", lines[i - 1].strip())
            for i in range(dict_node.lineno, dict_node.end_lineno)
            if lines[i - 1].strip().startswith("#")
        ]
        out[ast.literal_eval(lang_node)] = [(kind, p) for _, kind, p in sorted(items, key=lambda x: x[0])]
    return out


def replace_entry(text: str, key: str, value: object) -> str:
    """The file with ``key``'s entry (its line and any indented lines under it) rewritten."""
    pattern = re.compile(rf"^{re.escape(key)}:.*\n(?:[ ]+.*\n)*", re.M)
    return pattern.sub(lambda _: entry_text(key, value), text, count=1)


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    write = "--write" in argv
    theirs = python_catalogue(Path(argv[0]))
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changes = json.loads(CHANGES.read_text(encoding="utf-8")) if CHANGES.exists() else {}
    for lang, items in theirs.items():
        path = LOCALES / f"{lang}.yaml"
        text = path.read_text(encoding="utf-8")
        ours = yaml.safe_load(text)
        added, changed, comment, last_comment = [], [], None, None
        for kind, payload in items:
            if kind == "comment":
                comment = payload
                continue
            old, value = payload
            key = new_key(old)
            if key not in ours:
                if comment != last_comment:
                    added.append(f"\n{comment}\n" if comment else "\n")
                    last_comment = comment
                added.append(entry_text(key, value))
            elif ours[key] != value and snapshot.get(lang, {}).get(old) != value:
                changed.append(key)
                text = replace_entry(text, key, value)
            else:
                continue
            changes.setdefault(lang, {})[old] = value
        removed = sorted(
            new_key(k) for k in snapshot.get(lang, {}) if k not in {p[0] for kind, p in items if kind == "key"}
        )
        print(
            f"{lang}.yaml: {sum(1 for a in added if not a.startswith(chr(10)))} new, "
            f"{len(changed)} changed {changed}, removed in the branch (not deleted here): {removed}"
        )
        if write:
            path.write_text(text.rstrip("\n") + "\n" + "".join(added), encoding="utf-8")
    if write:
        CHANGES.write_text(json.dumps(changes, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
