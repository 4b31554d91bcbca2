"""Per-run costs in Streamlit (1.67): three answers that never change, kept once per process, and one
wake-up of the server's event loop per batch of a run's elements instead of one per element.

A busy workshop server runs ~45 page or part runs a second (bench/live_load.py: 60 sessions, saves
every second). A profile of the server under that load (py-spy, only the thread holding the GIL, 90 s)
found three of Streamlit's own steps that recompute what cannot have changed:

- every whole-page run's ``new_session`` message fills its theme six times (``[theme]``, light, dark
  and their sidebars), each by scanning all of Streamlit's ~200 config options under a lock: 3.5 % of
  the server's Python time. The theme comes from config.toml, which does not change while the server
  runs; a reparse (Streamlit's watcher of config.toml) makes a new options dict, and the kept theme
  is keyed by that dict, so it is filled afresh after one.
- every call of an ``st.cache_data``/``st.cache_resource`` function reads the function's signature
  (``inspect.signature``) to name its arguments for the cache key: 1.3 %. A function's parameters do
  not change; they are kept per function.

- every custom component's arguments are encoded as one JSON text on every run (``json.dumps`` in
  ``CustomComponent.create_instance``). The measures grid's rows are one long JSON text among them
  (``gridOptions["rowData"]``: ui.grid_rows.rows_json, the same text object for every session showing a
  data version), so sixty
  sessions each escaped the same ~110 kB again after every save: 5.4 % of the server's Python time.
  A long text argument is encoded once per text object; the rest as before, joined as ``json.dumps``
  joins them.

All three give byte-for-byte what Streamlit's own code gives (tests/ui/test_streamlit_costs.py).

And every element a run draws reaches the browser through the server's event loop: the script thread
hands each one over with ``call_soon_threadsafe`` (a write to the loop's wake-up socket, which lets go
of the GIL and must wait to get it back), then the loop hands it to the browser queue with another
(``Runtime._enqueued_some_message``). Under load a script thread waited on those writes for 15 % of the
samples of a wall-clock profile. Here a session's hand-overs queue up behind one scheduled call, which
runs them in the order they came (``batched_calls``), and a hand-over made on the loop itself sets
the loop's "send" flag directly (``enqueued_on_loop``): the same callbacks, in the same order per
session, with one wake-up per batch.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import threading
from collections.abc import Callable

from core.base.memo import ByIdentity

LOG = logging.getLogger(__name__)

_MARK = "_kymlapset_kept_per_process"
_themes: dict[tuple[int, str], bytes] = {}
_themes_lock = threading.Lock()


def kept_theme(original: Callable) -> Callable:
    """``_populate_theme_msg`` that fills a section's theme once per parsed config and copies it after."""

    @functools.wraps(original)
    def populate(msg, section: str = "theme") -> None:
        from streamlit import config  # noqa: PLC0415

        key = (id(config.get_config_options()), section)
        with _themes_lock:
            kept = _themes.get(key)
        if kept is None:
            fresh = type(msg)()
            original(fresh, section)
            kept = fresh.SerializeToString()
            with _themes_lock:
                if len(_themes) > 64:  # config reparsed many times (development): start over
                    _themes.clear()
                _themes[key] = kept
        msg.MergeFromString(kept)

    setattr(populate, _MARK, True)
    return populate


def kept_parameters(original: Callable) -> Callable:
    """``type_util.get_func_parameters`` kept per function (a cached function's arguments, named)."""
    kept = functools.lru_cache(maxsize=512)(lambda func: tuple(original(func)))

    @functools.wraps(original)
    def parameters(func: Callable) -> list[inspect.Parameter]:
        try:
            return list(kept(func))
        except TypeError:  # an unhashable callable: Streamlit's own way
            return original(func)

    setattr(parameters, _MARK, True)
    return parameters


LONG_TEXT = 4096  # characters: a text argument this long is encoded once per text object
_TEXTS: ByIdentity[str] = ByIdentity(32)  # a long text -> its JSON


def kept_long_texts(dumps: Callable[..., str]) -> Callable[..., str]:
    """``json.dumps`` that encodes long text values once per text object.

    Only dicts with text keys (the arguments, and dicts in them up to two levels down: the grid's rows
    are ``gridOptions["rowData"]``), called without options, are taken apart: their items are encoded
    one by one and joined with ``json.dumps``'s own separators (``", "`` and ``": "``), which gives the
    same text as encoding the whole. Anything else, and any arguments without a long text, is ``dumps``.
    """

    @functools.wraps(dumps)
    def kept(obj, *args, **kwargs) -> str:
        if args or kwargs or not _has_long_text(obj, _DEPTH):
            return dumps(obj, *args, **kwargs)
        return _encode(obj, dumps, _DEPTH)

    setattr(kept, _MARK, True)
    return kept


_DEPTH = 2  # levels of dicts below the arguments that are looked into


def _plain_dict(obj: object) -> bool:
    return type(obj) is dict and all(type(k) is str for k in obj)


def _has_long_text(obj: object, depth: int) -> bool:
    if not _plain_dict(obj):
        return False
    for v in obj.values():
        if (type(v) is str and len(v) >= LONG_TEXT) or (depth > 0 and _has_long_text(v, depth - 1)):
            return True
    return False


def _encode(obj: object, dumps: Callable[..., str], depth: int) -> str:
    if type(obj) is str and len(obj) >= LONG_TEXT:
        return _long_text(obj, dumps)
    if depth >= 0 and _has_long_text(obj, depth):  # only what holds a long text is taken apart
        return "{" + ", ".join(f"{dumps(k)}: {_encode(v, dumps, depth - 1)}" for k, v in obj.items()) + "}"
    return dumps(obj)


def _long_text(text: str, dumps: Callable[..., str]) -> str:
    return _TEXTS.get(text, dumps)


class _JsonKeepingLongTexts:
    """The ``json`` module as Streamlit's custom components see it, with ``kept_long_texts`` as ``dumps``."""

    def __init__(self, module) -> None:
        self._module = module
        self.dumps = kept_long_texts(module.dumps)

    def __getattr__(self, name: str):
        return getattr(self._module, name)


class _Batch:
    """A session's callbacks waiting for the event loop, and whether a drain is scheduled for them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[Callable[[], None]] = []
        self.scheduled = False


_BATCH = "_kymlapset_loop_batch"
_BATCH_LOCK = threading.Lock()


def batched_calls(original: Callable) -> Callable:
    """``AppSession._call_soon_on_event_loop`` that queues behind an already scheduled drain."""

    @functools.wraps(original)
    def call_soon(self, callback: Callable[[], None]) -> None:
        batch = self.__dict__.get(_BATCH)
        if batch is None:
            with _BATCH_LOCK:
                batch = self.__dict__.setdefault(_BATCH, _Batch())
        with batch.lock:
            batch.calls.append(callback)
            if batch.scheduled:
                return  # the drain already on its way runs it, after the ones before it
            batch.scheduled = True
        try:
            original(self, functools.partial(_drain, batch, self._event_loop))
        except BaseException:
            with batch.lock:
                batch.scheduled = False
            raise

    setattr(call_soon, _MARK, True)
    return call_soon


def _drain(batch: _Batch, loop: asyncio.AbstractEventLoop) -> None:
    """On the event loop: run the callbacks queued so far, in order; later ones get a turn of their own
    after whatever else the loop has to do (``call_soon`` from the loop itself needs no wake-up)."""
    with batch.lock:
        calls, batch.calls = batch.calls, []
    for callback in calls:
        try:
            callback()
        except Exception as exc:  # noqa: BLE001 - as asyncio does with a failing callback: reported, the rest run
            loop.call_exception_handler({"message": "Exception in a session's event-loop callback", "exception": exc})
    with batch.lock:
        if batch.calls:
            loop.call_soon(_drain, batch, loop)
        else:
            batch.scheduled = False


def enqueued_on_loop(original: Callable) -> Callable:
    """``Runtime._enqueued_some_message`` that, called on the event loop itself, sets the flag directly."""

    @functools.wraps(original)
    def enqueued(self) -> None:
        objs = self._get_async_objs()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is objs.eventloop:
            objs.need_send_data.set()
        else:
            original(self)

    setattr(enqueued, _MARK, True)
    return enqueued


def install() -> None:
    """Patch Streamlit once per process (idempotent)."""
    from streamlit import type_util  # noqa: PLC0415
    from streamlit.components.v1 import custom_component  # noqa: PLC0415
    from streamlit.runtime import app_session  # noqa: PLC0415
    from streamlit.runtime.runtime import Runtime  # noqa: PLC0415

    if not getattr(app_session._populate_theme_msg, _MARK, False):
        app_session._populate_theme_msg = kept_theme(app_session._populate_theme_msg)
    if not getattr(type_util.get_func_parameters, _MARK, False):
        type_util.get_func_parameters = kept_parameters(type_util.get_func_parameters)
    session = app_session.AppSession
    if not getattr(session._call_soon_on_event_loop, _MARK, False):
        session._call_soon_on_event_loop = batched_calls(session._call_soon_on_event_loop)
    if not getattr(Runtime._enqueued_some_message, _MARK, False):
        Runtime._enqueued_some_message = enqueued_on_loop(Runtime._enqueued_some_message)
    if not getattr(custom_component.json.dumps, _MARK, False):
        custom_component.json = _JsonKeepingLongTexts(custom_component.json)
