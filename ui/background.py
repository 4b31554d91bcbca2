"""Long work beside the page (STYLE lesson 13): the process's bounded worker, polled by a fragment.

A page hands slow work (a report, an import, a backup, a fetch from Sotkanet) to ``begin``, which
starts it in the process's one ``core.serving.jobs.Worker`` and keeps the ``Job`` in the session under a
slot name. ``follow`` then shows it: while it runs, a small fragment shows its progress every
``job_poll_s`` seconds (only the fragment runs, not the page, and it takes no page-run turn); when
it is done, the page runs once more and ``follow`` hands back the finished job for the page to
offer its result. When every job slot of the process is taken, ``begin`` says the server is busy
and starts nothing. Work with a ``key`` (say, a report with the data version in its key) is shared
by everyone who asks for the same key, and its result is kept for the next one.

    if st.button("Make"):
        background.begin("my_job", work, lang, key=("thing", version))
    job = background.follow("my_job", t("thing.building", lang))
    if job is not None:  # finished: job.result() or job.failed
        ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

import streamlit as st

from core.base import config
from core.base.i18n import t
from core.serving import jobs
from ui.downloads import failure_text

LOG = logging.getLogger(__name__)
Job = jobs.Job


@st.cache_resource(show_spinner=False)
def _worker(at_once: int, keep: int) -> jobs.Worker:
    return jobs.Worker(at_once, keep)


def worker() -> jobs.Worker:
    """The process's worker, shared by every session (settings ``jobs_at_once``, ``jobs_kept``)."""
    return _worker(max(1, int(config.number("jobs_at_once"))), max(0, int(config.number("jobs_kept"))))


def start(work: Callable[[jobs.Progress], object], key: Hashable | None = None) -> Job:
    """Run ``work(progress)`` in the worker; ``jobs.Busy`` when every slot is taken."""
    return worker().submit(work, key)


def forget_older(kind: str, version: object) -> None:
    """Drop kept results of ``kind`` made from older data (keys ``(kind, …, data version)``): nobody
    will be handed them again, so they need not hold memory until they are the least recently used."""
    worker().forget(lambda k: isinstance(k, tuple) and k[:1] == (kind,) and k[-1] != version)


def begin(slot: str, work: Callable[[jobs.Progress], object], lang: str, key: Hashable | None = None) -> bool:
    """Start ``work`` and keep its job in the session under ``slot``; False (and the busy message
    on the page) when the server runs as many jobs as it may."""
    try:
        st.session_state[slot] = start(work, key)
    except jobs.Busy:
        st.session_state.pop(slot, None)
        busy(lang)
        return False
    return True


def busy(lang: str) -> None:
    """The server is saturated: say so, and that trying again in a moment will do."""
    st.warning(t("background.busy", lang), icon=":material/hourglass_top:")


def running(slot: str) -> bool:
    """Whether the session has a job under ``slot`` that is not finished yet."""
    job = st.session_state.get(slot)
    return job is not None and not job.done


def follow(slot: str, text: str) -> Job | None:
    """The finished job under ``slot`` (it stays there until ``forget``), or None; while it runs,
    its progress with ``text``, redrawn every ``job_poll_s`` seconds without running the page."""
    job = st.session_state.get(slot)
    if job is None:
        return None
    if job.done:
        return job
    st.fragment(_progress, run_every=max(0.2, config.number("job_poll_s")))(slot, text)
    return None


def forget(slot: str) -> None:
    """Drop the session's job under ``slot`` (a kept shared result stays in the worker)."""
    st.session_state.pop(slot, None)


def _progress(slot: str, text: str) -> None:
    job = st.session_state.get(slot)
    if job is None:
        return
    if job.done:
        st.rerun(scope="app")  # the page draws the result
    st.progress(job.progress[0], text=text)


def current(slot: str, shared: Hashable) -> Job | None:
    """The session's job under ``slot`` if it is the one for ``shared`` (a key ``(kind, …, data
    version)``), else the result someone already made for it, else None: a job made from older data
    is dropped, so the page offers to make the file afresh."""
    mine = st.session_state.get(slot)
    if mine is not None and mine.key != shared:  # made from older data
        forget(slot)
    if slot not in st.session_state:
        if isinstance(shared, tuple) and len(shared) > 1:
            forget_older(shared[0], shared[-1])
        kept = worker().kept(shared)
        if kept is not None and not kept.failed:
            st.session_state[slot] = kept
    return st.session_state.get(slot)


def download(
    container: object,
    label: str,
    build: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    lang: str,
    shared: Hashable | None = None,
) -> None:
    """A download whose file is made beside the page: a button starts it, progress shows while it
    is made, and the download button is offered when it is ready. ``shared`` (say, the data version
    and the file's kind) lets everyone who asks for the same file get the one made first."""
    slot = f"download_job_{key}"
    with container:  # type: ignore[attr-defined]
        if shared is not None:
            current(slot, shared)
        if not running(slot) and st.session_state.get(slot) is None:
            if st.button(label, key=f"{key}_make"):
                if begin(slot, lambda progress: build(), lang, key=shared):
                    st.rerun()
            return
        job = follow(slot, t("background.working", lang))
        if job is None:
            return
        try:
            payload = job.result()
        except Exception as exc:  # noqa: BLE001 - any failure is shown, never only logged
            LOG.exception("download %s could not be built", file_name)
            st.error(failure_text(exc, lang))
            forget(slot)
            return
        st.download_button(label, payload, file_name=file_name, mime=mime, key=key, icon=":material/download:")
