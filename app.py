"""Entry point and router: page config, navigation, and the shared sidebar."""

import streamlit as st

from core.i18n import t
from core.storage import StoreUnavailable
from core.text import md_escape
from ui import data, frame, state

st.set_page_config(page_title="Lasten ja nuorten hyvinvointisuunnitelma", page_icon=":material/family_restroom:", layout="wide")

try:
    plan = data.plan()
except ValueError as exc:  # broken data/: say so in Finnish, do not crash
    st.error(t("notice.data_error", "fi", error=md_escape(str(exc)[:2000])))
    st.stop()
data.begin_run()
state.init_state(plan)
lang = state.lang()

pages = {
    t("nav.section.plan", lang): [
        st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/home:", default=True),
        st.Page("pages/goal_1.py", title=t("nav.goal", lang, goal="I"), icon=":material/looks_one:", url_path="paatavoite-1"),
        st.Page("pages/goal_2.py", title=t("nav.goal", lang, goal="II"), icon=":material/looks_two:", url_path="paatavoite-2"),
        st.Page("pages/goal_3.py", title=t("nav.goal", lang, goal="III"), icon=":material/looks_3:", url_path="paatavoite-3"),
        st.Page("pages/indicators.py", title=t("nav.indicators", lang), icon=":material/bar_chart:", url_path="indikaattorit"),
        st.Page("pages/measures.py", title=t("nav.measures", lang), icon=":material/checklist:", url_path="toimenpiteet"),
    ],
    t("nav.section.follow", lang): [
        st.Page("pages/timeline.py", title=t("nav.timeline", lang), icon=":material/view_timeline:", url_path="aikajana"),
        st.Page("pages/evaluation.py", title=t("nav.evaluation", lang), icon=":material/grading:", url_path="arviointi"),
        st.Page("pages/data_io.py", title=t("nav.data_entry", lang), icon=":material/upload_file:", url_path="tiedot"),
        st.Page("pages/reports.py", title=t("nav.reports", lang), icon=":material/description:", url_path="raportit"),
        st.Page("pages/vuosikello.py", title=t("nav.vuosikello", lang), icon=":material/event_repeat:",
                url_path="vuosikello-sykli"),
        st.Page("pages/history.py", title=t("nav.history", lang), icon=":material/history:", url_path="historia"),
    ],
}
navigation = st.navigation(pages)
frame.sidebar(plan)
st.session_state[state.ROUTED] = True  # pages may link to each other only under the router
try:
    navigation.run()
except StoreUnavailable as exc:  # the store failed under a page (e.g. its file was damaged meanwhile)
    data.store_failed(exc)
    st.error(md_escape(exc.text(lang)))
