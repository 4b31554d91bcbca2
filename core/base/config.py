"""Every setting of the app, declared once with its default and help text.

Settings are read when asked for, never at import time: from the app's secrets first for a setting
that has a place there (``Setting.secret``; the Streamlit layer passes ``st.secrets`` as a plain
dict), then from the environment (``KYMLAPSET_<NAME>``), then the default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.base.rules import parse_yes_no

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
LOCAL_STATE_DIR = ROOT / ".local"  # git-ignored: the default SQLite file lives here


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: object
    help: str
    secret: tuple[str, ...] = ()  # its place in the app's secrets (secrets.toml), which wins over the environment


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "neutral_band",
            2.0,
            "Width of the neutral band, in the indicator's own unit (percentage points for "
            "percentages): a regional value within ±band of the national value is 'neutraali'. "
            "2 points is about the sampling error of a regional School Health Promotion result.",
        ),
        Setting(
            "neutral_band_relative",
            0.10,
            "For counts and rates that are not percentages, the neutral band as a share of the "
            "national value (0.10 = ±10 %).",
        ),
        Setting(
            "trend_threshold",
            2.0,
            "Change since the baseline year, in the indicator's unit (percentage points for "
            "percentages), below which a trend is 'ennallaan' (unchanged).",
        ),
        Setting(
            "trend_threshold_relative",
            0.10,
            "Trend threshold for counts and non-percentage rates, as a share of the baseline.",
        ),
        Setting(
            "database_url",
            "",
            "SQLAlchemy URL of the store. Empty: a SQLite file in .local/ seeded from data/.",
            secret=("connections", "plan", "url"),
        ),
        Setting(
            "sotkanet_url",
            "https://sotkanet.fi",
            "Base address of THL's Sotkanet REST API (without /rest/1.1): the fetch of the plan's "
            "indicators on Uudet tiedot and `python -m core sotkanet` ask it.",
            secret=("sotkanet_url",),
        ),
        Setting(
            "sotkanet_cache_hours",
            24.0,
            "How long an answer from Sotkanet is reused before it is asked again, in hours (THL asks "
            "clients not to download the same data again and again). 0: no cache.",
        ),
        Setting(
            "sotkanet_timeout",
            30.0,
            "Seconds to wait for Sotkanet to answer one request (connecting and reading) before the "
            "fetch gives up on that request.",
        ),
        Setting(
            "editor_passcode",
            "",
            "Passcode that lets a person edit when no OIDC sign-in is configured.",
            secret=("editing", "passcode"),
        ),
        Setting(
            "signin_hours",
            10.0,
            "How long a passcode sign-in lasts in the same browser (reloads, new tabs): a working day. "
            "Signing out ends it at once, and so does a changed passcode. 0: only until the tab is closed.",
            secret=("editing", "signin_hours"),
        ),
        Setting(
            "trusted_proxies",
            "",
            "Addresses or networks (comma-separated, e.g. 10.0.0.5, 10.1.0.0/16) of reverse proxies whose "
            "X-Forwarded-For is believed when wrong passcodes are counted per client. Empty: the connection's "
            "own address counts (a proxy on this machine is believed by the server itself). Never name a "
            "network that visitors can connect from: they could then pose as any address.",
            secret=("editing", "trusted_proxies"),
        ),
        Setting(
            "page_runs_at_once",
            1,
            "How many page runs one app process lets run at the same time; the others wait their turn. "
            "Python runs one thread at a time, so sixty sessions running at once each get a sixtieth of it "
            "and the server has no time left to send what is ready (bench/live_load.py); one at a time "
            "finishes soonest (60 live sessions: 3 at a time p95 31 s, 1 at a time 8 s). 0: no limit.",
        ),
        Setting(
            "sqlite_busy_timeout",
            10.0,
            "Seconds a write waits for a SQLite file that another process has locked before it gives up "
            "with a 'busy, try again' message (nothing is saved; the unsaved edits stay on the page).",
        ),
        Setting(
            "statement_timeout",
            30.0,
            "Seconds one PostgreSQL statement may run (or wait for a lock) before the database stops it "
            "and the user is told it did not answer in time. 0: no limit.",
        ),
        Setting(
            "page_run_wait_s",
            30.0,
            "Seconds a page run waits for its turn (page_runs_at_once). A run that waited this long does "
            "not run: the person is told the server is busy and may try again, so the limit holds under the "
            "very load it exists for.",
        ),
        Setting(
            "live_poll_s",
            10.0,
            "How often, in seconds, an open page looks by itself whether someone saved: the safety net "
            "behind the process's watcher (live_push_s), which has every page look as soon as a save "
            "is seen. With live_push_s 0 set this to about 3 (one script run per page per poll).",
        ),
        Setting(
            "jobs_at_once",
            2,
            "Slow jobs (reports, imports, backups, fetches from Sotkanet) one app process runs at a time "
            "beside the page runs. When that many run, a new one is refused with 'the server is busy' "
            "instead of slowing every session down.",
        ),
        Setting(
            "jobs_kept",
            32,
            "Finished results of shared jobs (reports per data version, exports) kept in memory for the "
            "next person who asks for the same; the least recently used go first.",
        ),
        Setting(
            "job_poll_s",
            0.5,
            "How often, in seconds, a page with a job running beside it shows the job's progress.",
        ),
        Setting(
            "pdf_timeout_s",
            120.0,
            "Seconds Chromium may take to print one report as PDF before the report is made without it.",
        ),
        Setting(
            "background_cpu_share",
            0.3,
            "The share of one processor that the Chromium of chart images and PDFs may use at most: it is "
            "paused and resumed in turns (every 0.4 s). Idle scheduling alone does not keep a report from "
            "slowing a full room on a small machine (bench/live_load.py --pdf); with this a report takes "
            "about 1/share as long. 1: no limit.",
        ),
        Setting(
            "background_idle",
            True,
            "Whether the Chromium that makes chart images and PDFs runs only on processor time nothing "
            "else wants (Linux idle scheduling, chrt; without it the lowest niceness), so that a report "
            "made beside a full room does not slow the people's page runs (bench/live_load.py --pdf).",
        ),
        Setting(
            "chromium_probe_timeout_s",
            90.0,
            "Seconds the first chart image may take while the app checks once that Chromium works.",
        ),
        Setting(
            "local_editing",
            True,
            "With neither OIDC nor a passcode configured, whether a browser on this machine may edit "
            "(peer, Host and Origin loopback and no proxy headers). Off: such an app is read-only for all.",
            secret=("editing", "local_editing"),
        ),
        Setting(
            "secrets_ttl_s",
            30.0,
            "How soon, in seconds, a changed secrets.toml (or Community Cloud secret) is seen: the secrets "
            "are read again at most this often (without a secrets file Streamlit looks for one on every access).",
        ),
        Setting(
            "store_retry_s",
            30.0,
            "Seconds before a store that failed to open is tried again (meanwhile pages say what happened).",
        ),
        Setting(
            "live_push_s",
            0.25,
            "How often, in seconds, one app process asks the store whether someone saved (one query "
            "however many pages are open); when so, every open page of the process shows it at once. "
            "0: no watcher, each page only polls (live_poll_s).",
        ),
        Setting(
            "live_gap_s",
            2.0,
            "Seconds a page waits at least (about; 0.8-1.2 times) between two looks the process's watcher "
            "has it take: under a stream of saves it takes them in batches instead of redrawing for each "
            "(60 live pages, a save a second: bench/live_load.py). A single save shows at once.",
        ),
        Setting(
            "live_poll_share_s",
            0.5,
            "Seconds one store query for others' saves answers every session of a process (live updates): "
            "one query per this many seconds however many sessions poll.",
        ),
        Setting(
            "cell_editing_timeout_s",
            900.0,
            "Seconds after which a grid cell editor reported open is taken as closed (the grid then takes "
            "others' saves again; while an editor is open it waits, so nothing being typed is disturbed).",
        ),
    ]
}


def secret_value(name: str, secrets: Mapping[str, object] | None) -> object:
    """The value ``secrets`` hold for setting ``name`` as written there (None: not there). An empty
    text counts as not there for a text setting (an empty passcode or URL), as the environment's does."""
    node: object = secrets
    for part in SETTINGS[name].secret or (None,):
        if part is None or not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    if node == "" and isinstance(SETTINGS[name].default, str):
        return None
    return node


def get(name: str, secrets: Mapping[str, object] | None = None) -> object:
    """Return a setting: its value in ``secrets`` (the app's secrets, where the setting has a place
    there, as written there), else the environment variable KYMLAPSET_<NAME> if set, else the default."""
    setting = SETTINGS[name]
    from_secrets = secret_value(name, secrets)
    if from_secrets is not None:
        return from_secrets
    raw = os.environ.get(f"KYMLAPSET_{name.upper()}")
    if raw is None:
        return setting.default
    if isinstance(setting.default, bool):
        return parse_bool(raw, f"KYMLAPSET_{name.upper()}")
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"KYMLAPSET_{name.upper()} must be a whole number, got {raw!r}") from exc
    if isinstance(setting.default, float):
        try:
            return float(raw)
        except ValueError as exc:
            raise ValueError(f"KYMLAPSET_{name.upper()} must be a number, got {raw!r}") from exc
    return raw


def number(name: str) -> float:
    """A numeric setting; its default when the environment holds something that is not a number
    (a mistyped timeout must not stop every page)."""
    try:
        return float(get(name))  # type: ignore[arg-type]
    except ValueError:
        return float(SETTINGS[name].default)  # type: ignore[arg-type]


def parse_bool(raw: object, what: str = "value") -> bool:
    """A yes/no setting from text or a TOML boolean, by the app's one yes/no rule (``core.base.rules.parse_yes_no``)."""
    try:
        return parse_yes_no(raw)
    except ValueError as exc:
        raise ValueError(f"{what} must be true or false, got {raw!r}") from exc


def store_url(given: str | None = None, secrets: Mapping[str, object] | None = None) -> str:
    """The store's URL: ``given``, else the secrets' [connections.plan] url, else KYMLAPSET_DATABASE_URL,
    else the local SQLite file (the one fallback of the app, the command line and ``Store.open``)."""
    url = given or get("database_url", secrets)
    if not isinstance(url, str):  # a secret that is no text is no URL: the environment's then
        url = get("database_url")
    return str(url or "") or default_sqlite_url()


def default_sqlite_url() -> str:
    """The embedded default database: a SQLite file in the git-ignored .local/ folder."""
    LOCAL_STATE_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{LOCAL_STATE_DIR / 'plan.db'}"
