"""Benchmark: what one kind of Streamlit element adds to a page's time to drawn in Chromium.

Issue 22 asks the table pages to be drawn within 1.25× of a bare ``st.dataframe`` page
(bench/drawn.py). This prints, for each kind of element the app's pages use, the time to drawn of
the bare page with that element added (the same measures, the same database), beside the bare page
itself: what the browser spends drawing it on a first visit. Variants take turns in every round, so a
busy moment of the shared machine falls on all of them; the median of the rounds is printed.

    .venv/bin/python bench/element_costs.py --rounds 7
    .venv/bin/python bench/element_costs.py --rounds 7 --returning   # Streamlit's files cached
    .venv/bin/python bench/element_costs.py --only base,selectbox,segmented_control
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.drawn import drawn_seconds, start_bare, take_turns  # noqa: E402
from bench.server import AppServer  # noqa: E402

# variant name → the lines drawn before the table (the bare page's script with these added)
VARIANTS = {
    "base": "",
    "10 markdown": "for i in range(10):\n    st.markdown(f'Rivi **{i}** tekstiä')",
    "1 markdown of 10 lines": "st.markdown('  \\n'.join(f'Rivi **{i}** tekstiä' for i in range(10)))",
    "10 captions": "for i in range(10):\n    st.caption(f'Rivi {i} tekstiä')",
    "5 headings": "for i in range(5):\n    st.markdown(f'### Otsikko {i}')",
    "5 headings with help": "for i in range(5):\n    st.markdown(f'### Otsikko {i}', help='Ohje')",
    "info banner": "st.info('Tämä suunnitelma on päättynyt', icon=':material/lock:')",
    "2 expanders": "for i in range(2):\n    with st.expander(f'Osio {i}'):\n        st.write('x')",
    "2 tabs": "a, b = st.tabs(['Arvioi', 'Yhteenveto'])\nwith a:\n    st.write('x')",
    "primary button": "st.button('Tallenna', type='primary')",
    "selectbox": "st.selectbox('Valinta', ['a', 'b', 'c'])",
    "3 selectboxes": "for i in range(3):\n    st.selectbox(f'Valinta {i}', ['a', 'b', 'c'], key=f's{i}')",
    "multiselect": "st.multiselect('Toimija', ['a', 'b', 'c'])",
    "3 radios": "for i in range(3):\n    st.radio(f'V{i}', ['a', 'b', 'c'], horizontal=True, key=f'r{i}')",
    "3 pills": "for i in range(3):\n    st.pills(f'V{i}', ['a', 'b', 'c'], default='a', key=f'p{i}')",
    "3 segmented_controls": "for i in range(3):\n    st.segmented_control(f'V{i}', ['a', 'b', 'c'], default='a', key=f'g{i}')",
    "multiselect in a popover": "with st.popover('Toimijat: kaikki'):\n    st.multiselect('Toimija', ['a', 'b'])",
    "selectbox in a closed expander": "with st.expander('Valinnat'):\n    st.selectbox('Valinta', ['a', 'b'])",
    "sidebar: the app's 4 widgets": (
        "st.sidebar.selectbox('Suunnitelma', ['a'])\n"
        "st.sidebar.radio('Kieli', ['fi', 'en'], horizontal=True)\n"
        "st.sidebar.selectbox('Ikäryhmä', ['a', 'b'])\n"
        "st.sidebar.multiselect('Toimija', ['a', 'b'])"
    ),
}

SCRIPT = """import streamlit as st
from core.store import Store

VARIANTS = {variants!r}
exec(VARIANTS.get(st.query_params.get("v", "base"), ""))
st.dataframe(Store.open({url!r}).measures(), hide_index=True)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7, help="timed visits of each variant (median is reported)")
    ap.add_argument("--returning", action="store_true", help="one browser context: Streamlit's files cached")
    ap.add_argument("--only", default="", help="comma-separated variant names (base is always measured)")
    args = ap.parse_args()
    names = [n for n in VARIANTS if not args.only or n == "base" or n in args.only.split(",")]
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="element_costs_"))
    db_url = f"sqlite:///{folder / 'app.db'}"
    app = AppServer(db_url, {"KYMLAPSET_EDITOR_PASSCODE": ""}).start()  # seeds the database
    proc = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox"]
            )
            visits = browser.new_context(viewport={"width": 1280, "height": 720}) if args.returning else browser
            drawn_seconds(visits, app.url, tables=False)
            app.stop()
            # the bare page's server, running the script with every variant
            proc, url = start_bare(db_url, folder, SCRIPT.format(variants=VARIANTS, url=db_url))
            urls = {n: f"{url}/?v={urllib.request.quote(n)}" for n in names}
            times = take_turns(visits, urls, args.rounds)
            browser.close()
    finally:
        app.stop()
        if proc is not None:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
    base = statistics.median(times["base"])
    visit = "returning visits (files cached)" if args.returning else "first visits (nothing cached)"
    print(f"time to drawn of a bare st.dataframe page with one kind of element added; Chromium 1280x720, {visit}")
    print(f"median of {args.rounds} rounds")
    print(f"{'added':32} {'median s':>9} {'ratio':>6} {'added ms':>9}")
    for n in names:
        m = statistics.median(times[n])
        print(f"{n:32} {m:9.3f} {m / base:6.3f} {1000 * (m - base):9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
