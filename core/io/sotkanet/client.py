"""THL's Sotkanet REST API (``/rest/1.1``): the few calls the plan needs, with retries, a timeout and a cache.

Retries and timeouts are urllib3's (``Retry`` on requests' ``HTTPAdapter``); answers are cached
by requests-cache for ``sotkanet_cache_hours`` (THL asks clients not to download the same data
again and again). Every failure is a ``SotkanetError`` carrying a catalogue message: what
happened and what to try, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

from core.base import config
from core.base.i18n import Msg
from core.io.importer.results import MAX_JSON_NUMBER

log = logging.getLogger(__name__)
API = "/rest/1.1"
USER_AGENT = (
    "kymlapset-seuranta/1.0 (Kymenlaakson lasten ja nuorten hyvinvointisuunnitelman seuranta; "
    "Kymenlaakso children's welfare plan monitor) python-requests/" + requests.__version__
)
RETRY_STATUSES = (500, 502, 503, 504)  # 429 is not retried: THL asked us to slow down, so we stop
MAX_BODY_BYTES = 50 * 1024 * 1024  # far above any answer of one indicator; more is not Sotkanet


class SotkanetError(Exception):
    """One request to Sotkanet failed; ``message`` says what happened and what to try."""

    def __init__(self, message: Msg):
        self.message = message
        super().__init__(str(message))


def _cache_path() -> Path:
    config.LOCAL_STATE_DIR.mkdir(exist_ok=True)
    return config.LOCAL_STATE_DIR / "sotkanet_cache"


def _is_json(response: requests.Response) -> bool:
    """Cache only answers that parse: a broken answer is asked again next time, not kept for a day."""
    try:
        json.loads(response.content)
    except (ValueError, RecursionError):
        return False
    return True


def _too_long_number(text: str) -> object:
    if len(text) > MAX_JSON_NUMBER:
        raise ValueError("number too long")
    return float(text) if any(c in text for c in ".eE") else int(text)


class SotkanetClient:
    """The Sotkanet calls the fetch needs; settings from ``core.base.config`` unless given."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        cache_hours: float | None = None,
        timeout: float | None = None,
        cache_path: Path | str | None = None,
        retries: int = 2,
        backoff: float = 0.5,
    ):
        self.base_url = str(base_url if base_url is not None else config.get("sotkanet_url")).rstrip("/")
        hours = float(cache_hours if cache_hours is not None else config.get("sotkanet_cache_hours"))  # type: ignore[arg-type]
        self.timeout = float(timeout if timeout is not None else config.get("sotkanet_timeout"))  # type: ignore[arg-type]
        self.session: requests.Session = self._session(hours, cache_path)
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,  # the last answer comes back and is explained below
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"

    @staticmethod
    def _session(hours: float, cache_path: Path | str | None) -> requests.Session:
        """A session that caches answers for ``hours`` (none when 0, or when the cache file cannot be made)."""
        if hours <= 0:
            return requests.Session()
        import requests_cache

        try:
            return requests_cache.CachedSession(
                str(cache_path if cache_path is not None else _cache_path()),
                backend="sqlite",
                expire_after=timedelta(hours=hours),
                allowable_codes=(200,),
                filter_fn=_is_json,
            )
        except (OSError, sqlite3.Error) as exc:  # a read-only disk: fetch without the cache rather than not at all
            log.warning("Sotkanet answers are not cached: %s", type(exc).__name__)
            return requests.Session()

    def close(self) -> None:
        """Close the session (and the cache file)."""
        self.session.close()

    def __enter__(self) -> SotkanetClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the calls ------------------------------------------------------------------------------
    def indicator(self, indicator_id: int) -> dict:
        """``/indicators/<id>``: the indicator's metadata (title in fi/en/sv, organisation, years)."""
        data = self._get(f"{API}/indicators/{int(indicator_id)}", None, missing=True)
        if not isinstance(data, dict):
            raise SotkanetError(Msg("sotkanet.error.not_object"))
        return data

    def regions(self) -> list[dict]:
        """``/regions``: every region Sotkanet knows (id, title, code, category)."""
        data = self._get(f"{API}/regions", None)
        if not isinstance(data, list):
            raise SotkanetError(Msg("sotkanet.error.not_list"))
        return data

    def data(self, indicator_id: int, years: Iterable[int], gender: str = "total") -> list:
        """``/json?indicator=<id>&years=…&genders=…``: the indicator's values, one row per region and year."""
        params = [("indicator", str(int(indicator_id)))]
        params += [("years", str(int(y))) for y in years]
        params.append(("genders", gender))
        data = self._get(f"{API}/json", params, missing=True)
        if not isinstance(data, list):
            raise SotkanetError(Msg("sotkanet.error.not_list"))
        return data

    # one GET --------------------------------------------------------------------------------
    def _get(self, path: str, params: list[tuple[str, str]] | None, missing: bool = False) -> object:
        """GET and parse JSON; every failure as a SotkanetError (``missing``: a 404 means no such indicator)."""
        url = self.base_url + path
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except (requests.Timeout, Urllib3Timeout):
            raise SotkanetError(Msg("sotkanet.error.timeout", seconds=f"{self.timeout:g}")) from None
        except requests.ConnectionError as exc:
            if _timed_out(exc):
                raise SotkanetError(Msg("sotkanet.error.timeout", seconds=f"{self.timeout:g}")) from None
            raise SotkanetError(Msg("sotkanet.error.no_network", url=self.base_url)) from None
        except requests.RequestException as exc:
            raise SotkanetError(Msg("sotkanet.error.request", error=type(exc).__name__)) from None
        except (OSError, sqlite3.Error) as exc:  # the cache file broke under us (disk full, locked too long)
            raise SotkanetError(Msg("sotkanet.error.cache", error=type(exc).__name__)) from None
        status = response.status_code
        if status == 404 and missing:
            raise SotkanetError(Msg("sotkanet.error.missing"))
        if status == 403:
            raise SotkanetError(Msg("sotkanet.error.forbidden"))
        if status == 429:
            raise SotkanetError(Msg("sotkanet.error.too_many_requests"))
        if status >= 500:
            raise SotkanetError(Msg("sotkanet.error.server", status=status))
        if status != 200:
            raise SotkanetError(Msg("sotkanet.error.status", status=status))
        body = response.content
        if len(body) > MAX_BODY_BYTES:
            raise SotkanetError(Msg("sotkanet.error.too_big", mb=len(body) // 1024 // 1024))
        try:
            return json.loads(body, parse_int=_too_long_number, parse_float=_too_long_number)
        except (ValueError, RecursionError):
            raise SotkanetError(Msg("sotkanet.error.not_json")) from None


def _timed_out(exc: requests.ConnectionError) -> bool:
    """Whether requests' ConnectionError is really a read timeout after urllib3's last retry."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    if isinstance(reason, ProtocolError) and reason.args:
        reason = reason.args[-1]
    if isinstance(reason, NewConnectionError):  # refused or no name resolution: a subclass of a timeout in urllib3
        return False
    return isinstance(reason, (ReadTimeoutError, Urllib3Timeout, TimeoutError))
