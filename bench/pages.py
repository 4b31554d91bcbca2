"""Benchmark: server-side run time of every page, with AppTest, beside a bare Streamlit page.

For each page registered in the router (read from ui/router.py when this runs) and each data size —
the plan as seeded from data/ ("1×") and ``--scale`` times as many measures ("100×": the seed
measures copied with new ids into a temporary SQLite DB) — this prints the median of
``--runs`` warm reruns after ``--warmup`` warm-up reruns, next to a bare page that loads the
same measures from the same DB (uncached, ``Store.measures()``) and shows them with
``st.dataframe``, and the ratio page/bare.

Warm reruns: Streamlit's ``st.cache_data``/``st.cache_resource`` live for the whole process,
so after the first run the plan, the store and the measures frame come from the caches, as
they do for a user changing a filter. The first (cold) run of each page is shown apart.

Pages with tabs (``ui.state.PAGE_VIEWS``: only the open tab runs) are measured once per tab,
as ``page#view`` — the view a link with ``?nakyma=view`` opens.

The figure is the *script* time: from the start of AppTest's script run to the end of the
script, i.e. the app's code plus Streamlit's serialisation of every element, without
AppTest's own parsing of the output (shown apart as "AppTest total"). AppTest would compile
app.py and the page file again on every run; here, as in a server, scripts are compiled once
(one shared ScriptCache), for app pages and bare page alike.

Targets: every page within 2× the bare page at the plan's size, and under 1 s at 100×.

    source .venv/bin/activate && python bench/pages.py            # defaults: 15 runs, viewer+editor
    python bench/pages.py --runs 3 --roles viewer --pages pages/toimenpiteet.py   # its tabs
    python bench/pages.py --pages pages/paatavoite-1.py#toimenpiteet                # one tab
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

warnings.filterwarnings("ignore")

import logging  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)

from streamlit import logger as _st_logger  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from streamlit.testing.v1 import app_test as _app_test_module  # noqa: E402
from streamlit.testing.v1 import local_script_runner as _lsr  # noqa: E402

from core.plan.loader import load_plan  # noqa: E402

_st_logger.set_log_level("error")  # "missing ScriptRunContext" and "No runtime found" are expected here
from core.store import Store  # noqa: E402

BENCH_PASSCODE = "bench-passcode"  # only for the editor role, only inside this process
TARGET_RATIO = 2.0
TARGET_SCALED_S = 1.0


def code_fingerprint() -> str:
    """A short hash of the app's code (app.py, pages/, ui/, core/), to tell which version was measured."""
    import hashlib  # noqa: PLC0415

    h = hashlib.sha256()
    for f in sorted(
        [
            ROOT / "app.py",
            *ROOT.glob("pages/*.py"),
            *ROOT.glob("ui/*.py"),
            *ROOT.glob("core/*.py"),
            *ROOT.glob("core/store/*.py"),
            *ROOT.glob("core/base/locales/*"),
        ]
    ):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# Timing hook: when the script stops and AppTest starts parsing its output.

_T: dict[str, float] = {}
_orig_run = _lsr.LocalScriptRunner.run
_orig_parse = _lsr.parse_tree_from_messages


def _timed_run(self, *args, **kwargs):
    _T["start"] = time.perf_counter()
    return _orig_run(self, *args, **kwargs)


def _timed_parse(msgs):
    _T["script_end"] = time.perf_counter()
    return _orig_parse(msgs)


_lsr.LocalScriptRunner.run = _timed_run
_lsr.parse_tree_from_messages = _timed_parse

# A server keeps one ScriptCache (compiled scripts) for its lifetime; AppTest makes a new one for
# every run, which would add each script's compile time to every figure.
_SCRIPT_CACHE = _lsr.ScriptCache()
_lsr.ScriptCache = _app_test_module.ScriptCache = lambda: _SCRIPT_CACHE


def timed(fn) -> tuple[float, float]:
    """Run ``fn`` (an AppTest run); return (script seconds, AppTest total seconds)."""
    _T.clear()
    t0 = time.perf_counter()
    fn()
    total = time.perf_counter() - t0
    script = _T["script_end"] - _T["start"] if "script_end" in _T and "start" in _T else total
    return script, total


# ---------------------------------------------------------------------------------------------
# Pages and databases


def registered_pages() -> list[tuple[str, bool]]:
    """(path, is_default) of every st.Page(...) in ui/router.py (the router), in order, read from the source now."""
    tree = ast.parse((ROOT / "ui" / "router.py").read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Page"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            default = any(
                k.arg == "default" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            )
            found.append((node.args[0].value, default, node.lineno, node.col_offset))
    found.sort(key=lambda x: (x[2], x[3]))
    return [(p, d) for p, d, _, _ in found]


def make_db(path: Path, scale: int) -> tuple[str, int]:
    """A SQLite DB seeded like the app does; with scale > 1 the seed measures copied (new ids)."""
    from ui import data  # noqa: PLC0415 - imports streamlit; only for default_events()

    url = f"sqlite:///{path}"
    store = Store.open(url)
    store.seed(load_plan(), events_rows=data.default_events())
    if scale > 1:
        with store.transaction() as uow:
            base = uow.measure_rows()
            rows = []
            for k in range(1, scale):
                for r in base:
                    rows.append({**r, "measure_id": f"{r['measure_id']}-x{k:03d}", "seq": r["seq"] + 1000 * k})
            for i in range(0, len(rows), 2000):
                uow.insert_measures(rows[i : i + 2000])
    n = len(store.measures())
    store.close()
    return url, n


BARE_PAGE = textwrap.dedent('''
    """Bare page: the same measures from the same DB, loaded on every run, in one st.dataframe."""
    import os

    import streamlit as st

    from core.store import Store


    @st.cache_resource
    def _store(url):
        return Store.open(url)


    df = _store(os.environ["KYMLAPSET_DATABASE_URL"]).measures()
    st.dataframe(df)
''')


# ---------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Result:
    label: str
    first: float = float("nan")
    script: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)  # the bare page, timed just before each run (paired)
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.script) if self.script else float("nan")

    @property
    def bare_median(self) -> float:
        return statistics.median(self.bare) if self.bare else float("nan")

    @property
    def median_total(self) -> float:
        return statistics.median(self.total) if self.total else float("nan")


@contextlib.contextmanager
def env(**values: str | None):
    old = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def check(at: AppTest) -> str:
    if at.exception:
        return "; ".join(str(e.value)[:200] for e in at.exception)
    return ""


def timed_reruns(at: AppTest, res: Result, runs: int, warmup: int, bare_at: AppTest | None = None) -> None:
    """``warmup`` untimed reruns, then ``runs`` timed ones recorded in ``res``.

    With ``bare_at`` each timed run is paired with a bare-page run just before it, so that a busy
    moment of this shared machine slows both sides of the ratio alike.
    """
    for _ in range(warmup):
        at.run()
    for _ in range(runs):
        if bare_at is not None:
            res.bare.append(timed(bare_at.run)[0])
        s, tot = timed(at.run)
        res.script.append(s)
        res.total.append(tot)


def with_views(pages: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Pages with tabs become one target per tab ("pages/paatavoite-1.py#toimenpiteet"): only the open tab runs."""
    from ui.state import PAGE_VIEWS  # noqa: PLC0415 - imports streamlit

    out = []
    for page, is_default in pages:
        out += [(f"{page}#{v}", is_default) for v in PAGE_VIEWS[page]] if page in PAGE_VIEWS else [(page, is_default)]
    return out


def measure_page(
    target: str, is_default: bool, role: str, runs: int, warmup: int, timeout: float, bare_at: AppTest | None = None
) -> Result:
    res = Result(f"{target} [{role}]")
    page, _, view = target.partition("#")
    passcode = BENCH_PASSCODE if role == "editor" else ""
    with env(KYMLAPSET_EDITOR_PASSCODE=passcode):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        if view:
            at.session_state["view"] = view  # as a link with ?nakyma=<view> would
        if role == "editor":
            at.session_state["editor_ok"] = True
            at.session_state["editor_name"] = "bench"
        try:
            s, _ = timed(at.run)
            if not is_default:
                at.switch_page(page)
                s, _ = timed(at.run)
            res.first = s
            if err := check(at):
                res.error = err
                return res
            if role == "editor" and not at.session_state["editor_ok"]:
                res.error = "editor sign-in did not hold"
                return res
            if view and at.session_state["view"] != view:
                res.error = f"the page did not open its {view!r} tab"
                return res
            timed_reruns(at, res, runs, warmup, bare_at)
            if err := check(at):
                res.error = err
        except Exception as exc:  # noqa: BLE001 - report the page, go on with the others
            res.error = f"{type(exc).__name__}: {exc}"[:300]
    return res


def measure_bare(path: Path, runs: int, warmup: int, timeout: float) -> Result:
    res = Result("bare st.dataframe page")
    at = AppTest.from_file(str(path), default_timeout=timeout)
    s, _ = timed(at.run)
    res.first = s
    if err := check(at):
        res.error = err
        return res
    timed_reruns(at, res, runs, warmup)
    return res


# ---------------------------------------------------------------------------------------------


def fmt(x: float) -> str:
    return "—" if x != x else f"{x:.3f}"  # noqa: PLR0124 - NaN check


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15, help="timed warm reruns per page (median is reported)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed reruns after the first run")
    ap.add_argument("--scale", type=int, default=100, help="measures multiplier for the large case")
    ap.add_argument("--roles", default="viewer,editor", help="viewer, editor or both (comma-separated)")
    ap.add_argument("--pages", nargs="*", help="only these page paths (default: all registered in app.py)")
    ap.add_argument("--timeout", type=float, default=120, help="AppTest timeout per run, seconds")
    args = ap.parse_args()
    if not 1 <= args.runs <= 50 or not 0 <= args.warmup <= 10 or not 2 <= args.scale <= 500:
        ap.error("keep --runs 1–50, --warmup 0–10, --scale 2–500")
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    if any(r not in ("viewer", "editor") for r in roles):
        ap.error("--roles takes viewer and/or editor")

    pages = with_views(registered_pages())
    if args.pages:
        pages = [(p, d) for p, d in pages if p in args.pages or p.partition("#")[0] in args.pages]
    on_disk = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
    unregistered = [p for p in on_disk if p not in {x for x, _ in registered_pages()}]

    started = time.time()
    fingerprint = code_fingerprint()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_pages_") as tmp:
        tmpdir = Path(tmp)
        bare_path = tmpdir / "bare_page.py"
        bare_path.write_text(BARE_PAGE, encoding="utf-8")
        sizes = []
        for label, scale in (("1×", 1), (f"{args.scale}×", args.scale)):
            url, n = make_db(tmpdir / f"plan_{scale}.db", scale)
            sizes.append((label, scale, url, n))
            print(f"DB {label}: {n} measures in {url}", flush=True)

        results: dict[tuple[str, str, str], Result] = {}
        bare: dict[str, Result] = {}
        for label, scale, url, _n in sizes:
            with env(KYMLAPSET_DATABASE_URL=url):
                bare[label] = measure_bare(bare_path, args.runs, args.warmup, args.timeout)
                print(f"[{label}] bare page: median {fmt(bare[label].median)} s", flush=True)
                # at the plan's size each page run is paired with a bare run (the ratio target is there)
                bare_at = AppTest.from_file(str(bare_path), default_timeout=args.timeout).run() if scale == 1 else None
                for page, is_default in pages:
                    for role in roles:
                        r = measure_page(page, is_default, role, args.runs, args.warmup, args.timeout, bare_at)
                        results[(label, page, role)] = r
                        print(
                            f"[{label}] {page} [{role}]: first {fmt(r.first)} s, median {fmt(r.median)} s"
                            + (f" (paired bare {fmt(r.bare_median)} s)" if r.bare else "")
                            + (f"  ERROR {r.error}" if r.error else ""),
                            flush=True,
                        )
                bare_after = measure_bare(bare_path, args.runs, args.warmup, args.timeout)
                print(f"[{label}] bare page again (drift check): median {fmt(bare_after.median)} s", flush=True)
                bare[label].script += bare_after.script
                bare[label].total += bare_after.total

    small, big = sizes[0][0], sizes[1][0]
    n_small, n_big = sizes[0][3], sizes[1][3]
    print()
    print(f"## Page run time (AppTest, median of {args.runs} warm reruns after {args.warmup} warm-up)")
    print()
    now_fp = code_fingerprint()
    print(
        f"Code fingerprint {fingerprint} (sha256 of app.py, pages/, ui/, core/)"
        + (f"; CHANGED during the run, now {now_fp}" if now_fp != fingerprint else "")
        + "."
    )
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average before/after "
        f"{load_before:.2f}/{os.getloadavg()[0]:.2f}; {small} = {n_small} measures, "
        f"{big} = {n_big} measures (seed copied with new ids). Bare page: the same measures loaded from the "
        f"same DB on every run (`Store.measures()`, no cache) and shown with `st.dataframe`; its median "
        f"{fmt(bare[small].median)} s at {small}, {fmt(bare[big].median)} s at {big} "
        f"(before and after the pages, {len(bare[small].script)} runs each). At {small} the bare page is also "
        f"run just before every timed page run, and each {small} ratio is page median / median of those "
        f'paired bare runs (the "{small} bare s" column), so a busy spell of the machine slows both alike.'
    )
    print()
    print(
        f"| Page | Role | {small} page s | {small} bare s | {small} ratio | ≤ {TARGET_RATIO:g}× bare "
        f"| {big} page s | {big} bare s | {big} ratio | < {TARGET_SCALED_S:g} s at {big} |"
    )
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---|")
    failures = 0
    for page, _ in pages:
        for role in roles:
            a, b = results[(small, page, role)], results[(big, page, role)]
            bare_a = a.bare_median if a.bare else bare[small].median
            ra = a.median / bare_a if a.script else float("nan")
            rb = b.median / bare[big].median if b.script else float("nan")
            ok_a = bool(a.script) and not a.error and ra <= TARGET_RATIO
            ok_b = bool(b.script) and not b.error and b.median < TARGET_SCALED_S
            failures += (not ok_a) + (not ok_b)
            print(
                f"| `{page}` | {role} | {fmt(a.median)} | {fmt(bare_a)} | {ra:.1f}× | "
                f"{'PASS' if ok_a else 'FAIL'} | {fmt(b.median)} | {fmt(bare[big].median)} | {rb:.1f}× | "
                f"{'PASS' if ok_b else 'FAIL'} |"
            )
    print()
    print(
        "Details (seconds): first = cold run of the page in a new session (caches already warm from earlier "
        "pages except for the first page of each size); min–max of the timed warm reruns; AppTest total = "
        "script + AppTest's parsing of the output."
    )
    print()
    print("| Page | Role | Size | first | median | min–max | AppTest total median | error |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for label, *_ in sizes:
        print(
            f"| bare | — | {label} | {fmt(bare[label].first)} | {fmt(bare[label].median)} | "
            f"{fmt(min(bare[label].script))}–{fmt(max(bare[label].script))} | {fmt(bare[label].median_total)} | |"
        )
        for page, _ in pages:
            for role in roles:
                r = results[(label, page, role)]
                mm = f"{fmt(min(r.script))}–{fmt(max(r.script))}" if r.script else "—"
                print(
                    f"| `{page}` | {role} | {label} | {fmt(r.first)} | {fmt(r.median)} | {mm} | "
                    f"{fmt(r.median_total)} | {r.error.replace('|', '/')} |"
                )
    print()
    print(
        "Notes: warm reruns — st.cache_data/st.cache_resource persist in the process, so the plan, the store "
        "and the measures frame are cached as they are for a user changing a filter. Viewer = no sign-in "
        "(AppTest has no loopback Host header, so the app treats it as a remote viewer: read-only grid); "
        "editor = passcode sign-in set in session state (editable grid, save bar, add/remove forms)."
    )
    if unregistered:
        print(f"Files in pages/ not registered in app.py (not measured): {', '.join(unregistered)}")
    print(
        f"\nOverall: {'PASS' if failures == 0 else f'FAIL ({failures} target(s) missed)'}; "
        f"bench took {time.time() - started:.0f} s"
    )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
