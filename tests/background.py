"""AppTest and slow work beside the page: wait for the session's background jobs, then run the page.

AppTest does not run a polling fragment (``st.fragment(run_every=…)``) by itself, so a test does
what the fragment would: wait until the session's jobs are done and run the page again.
"""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from core.serving.jobs import Job


def jobs_of(at: AppTest) -> list[Job]:
    """The session's background jobs (ui/background.py keeps them in session state)."""
    return [v for k in list(at.session_state) if isinstance(v := at.session_state[k], Job)]


def finish_jobs(at: AppTest, timeout: float = 120) -> AppTest:
    """Wait (bounded) until every job of the session is done and the page shows no progress bar:
    run it again as the polling fragment would (a page drawn after its job ended shows the result)."""
    deadline = time.monotonic() + timeout
    while at.get("progress") or any(not j.done for j in jobs_of(at)):
        assert time.monotonic() < deadline, "a background job did not finish in time"
        if any(not j.done for j in jobs_of(at)):
            time.sleep(0.1)
        else:
            at.run()
    return at
