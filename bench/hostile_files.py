"""Benchmark: how long the app takes to refuse each hostile upload of issue #19, and the memory it uses.

Each case runs in a fresh Python process (so the peak resident memory is that case's own): the
file is built in memory by tests/hostile_files.py, then handed to the importer (Uudet tiedot) or
the backup reader (``python -m core restore``), and the seconds from the call to the refusal and
the process's peak RSS are printed (building the file and loading the plan included: ~155 MB
before any reading), with the first words of the message; "check s" is the part of it spent in
``core.io.untrusted.check_xlsx`` (timed apart, on the same file). Honest files are
measured too, so the bounds are seen not to get in the way: the empty template, and a template
of 50 000 rows (the importer's row limit).

    .venv/bin/python bench/hostile_files.py            # every case
    .venv/bin/python bench/hostile_files.py --only wide
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASES = {
    "laughs-sheet (import)": ("import", "hf.xlsx_with_doctype('laughs', 'sheet')"),
    "laughs-shared (import)": ("import", "hf.xlsx_with_doctype('laughs', 'shared')"),
    "xxe-workbook (import)": ("import", "hf.xlsx_with_doctype('xxe', 'workbook')"),
    "laughs-utf16 (import)": ("import", "hf.xlsx_utf16_doctype()"),
    "wide 300x16384 no refs (import)": ("import", "hf.xlsx_wide_rows(300, 16384)"),
    "wide 300x16384 no refs (backup)": ("backup.xlsx", "hf.xlsx_wide_rows(300, 16384)"),
    "cell in XFD (import)": ("import", "hf.xlsx_far_cell()"),
    "4000x251 cells (import)": ("import", "hf.xlsx_wide_rows(4000, 251)"),
    "xlsx part 2 GB claims 1 KB (import)": ("import", "hf.xlsx_lying_header()"),
    "zip member 2 GB claims 1 KB (backup)": ("backup.zip", "hf.zip_lying_header()"),
    "honest: empty template (import)": ("import", "importer.template_xlsx(plan, 'fi')"),
    "honest: 50 000 rows (import)": ("import", "honest_rows(50_000)"),
}

CHILD = r"""
import io, json, resource, sys, time
sys.path.insert(0, {root!r})
from tests import hostile_files as hf
from core.io import importer
from core.io.exporter import BackupError, read_backup
from core.plan.loader import load_plan

plan = load_plan()

def honest_rows(n):
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("havainnot")
    ws.append(["indicator_id", "series_id", "group_id", "area", "year", "value"])
    import itertools
    with_series = {{s.indicator_id for s in plan.series}}
    inds = [i.indicator_id for i in plan.indicators if i.indicator_id not in with_series]
    keys = itertools.product(inds, [g.group_id for g in plan.groups], ["kymenlaakso", "koko_maa"], range(1990, 2101))
    for k, (ind, group, area, year) in enumerate(itertools.islice(keys, n)):  # distinct keys
        ws.append([ind, "", group, area, year, k % 90])
    buf = io.BytesIO(); wb.save(buf); return buf.getvalue()

content = {make}
kind = {kind!r}
from core.io import untrusted
t0 = time.perf_counter()
try:
    untrusted.check_xlsx(content) if kind != "backup.zip" else None
except untrusted.FileRefused:
    pass
check_seconds = time.perf_counter() - t0
start = time.perf_counter()
if kind == "import":
    result = importer.parse_import(content, "tiedot.xlsx", plan)
    message = importer.problems_text(result.errors[:1], "fi") if result.errors else f"ok: {{len(result.rows)}} rows"
else:
    try:
        read_backup(content, "varmuuskopio." + kind.split(".")[1])
        message = "ok"
    except BackupError as exc:
        lines = exc.text("fi").splitlines()
        message = next((line for line in lines if "observations.csv" in line), lines[1])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"bytes": len(content), "seconds": seconds, "check": check_seconds, "peak_mb": peak, "message": message}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.python_version()}; seconds from the call to the answer, peak RSS of the process"
    )
    print(f"{'case':40} {'file':>10} {'seconds':>8} {'check s':>8} {'peak MB':>8}  answer")
    for name, (kind, make) in CASES.items():
        if args.only and args.only not in name:
            continue
        code = CHILD.format(root=str(ROOT), make=make, kind=kind)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=900)
        if out.returncode != 0:
            print(f"{name:40} FAILED: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        size = f"{r['bytes'] / 1024:.0f} KB" if r["bytes"] < 1024 * 1024 else f"{r['bytes'] / 1024 / 1024:.1f} MB"
        print(f"{name:40} {size:>10} {r['seconds']:8.2f} {r['check']:8.2f} {r['peak_mb']:8.0f}  {r['message'][:70]}")


if __name__ == "__main__":
    main()
