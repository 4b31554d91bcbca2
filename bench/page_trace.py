"""What a Chromium page of a bench saw lately: the Streamlit messages on its websocket (decoded, one
line each), its page errors and console errors, its navigations. On a failed step the bench writes it
with a screenshot, so a 60 s wait can be told apart: a page the frontend broke ("Cannot set a node at
a delta path": white, its connection closed), a run that never ended, or a page that waits for the
user (a conflict chooser)."""

from __future__ import annotations

import collections
import time
from pathlib import Path

KEEP = 400  # lines kept per page


class PageTrace:
    def __init__(self, page, name: str) -> None:
        self.page, self.name = page, name
        self.lines: collections.deque[str] = collections.deque(maxlen=KEEP)
        self.page_errors: list[str] = []
        page.on("websocket", self._on_websocket)
        page.on("pageerror", self._on_page_error)
        page.on("console", lambda m: self._note(f"CONSOLE {m.type} {m.text[:300]}") if m.type == "error" else None)
        page.on("framenavigated", lambda f: self._note(f"NAV {f.url[:150]}") if f == page.main_frame else None)
        page.on("crash", lambda *_: self._note("PAGE CRASH"))

    def _note(self, text: str) -> None:
        self.lines.append(f"{time.time():.3f} {text}")

    def _on_page_error(self, error) -> None:
        self.page_errors.append(str(error)[:300])
        self._note(f"PAGEERROR {str(error)[:300]}")

    def _on_websocket(self, ws) -> None:
        ws.on("framereceived", lambda payload: self._note("RX " + forward_line(payload)))
        ws.on("framesent", lambda payload: self._note("TX " + back_line(payload)))

    async def write(self, folder: Path, why: str) -> Path:
        """The lines and a screenshot into ``folder`` (named after the page and the time)."""
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"{self.name}_{time.time():.0f}"
        try:
            state = await self.page.evaluate(
                "() => { const a = document.querySelector('[data-testid=stApp]');"
                " return a ? a.getAttribute('data-test-script-state') : 'no app'; }"
            )
            await self.page.screenshot(path=str(stem.with_suffix(".png")))
        except Exception as exc:  # noqa: BLE001 - a closed page: the lines still tell
            state = f"unknown ({type(exc).__name__})"
        path = stem.with_suffix(".txt")
        path.write_text(
            f"{why}\nscript state: {state}\nurl: {self.page.url}\n" + "\n".join(self.lines), encoding="utf-8"
        )
        return path


def forward_line(payload: bytes | str) -> str:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: PLC0415

    try:
        m = ForwardMsg()
        m.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        kind = m.WhichOneof("type")
        run = m.metadata.run
        if kind == "delta":
            return "delta " + ",".join(map(str, m.metadata.delta_path))
        if kind == "new_session":
            frags = ",".join(f[-6:] for f in run.fragment_ids)
            return (
                f"new_session run={run.script_run_id[-6:]} page={m.new_session.page_script_hash[:8]} fragments={frags}"
            )
        if kind == "script_finished":
            return f"script_finished {ForwardMsg.ScriptFinishedStatus.Name(m.script_finished)} run={run.script_run_id[-6:]}"
        if kind == "session_status_changed":
            return f"running={m.session_status_changed.script_is_running}"
        return str(kind)
    except Exception as exc:  # noqa: BLE001
        return f"? {type(exc).__name__}"


def back_line(payload: bytes | str) -> str:
    from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: PLC0415

    try:
        m = BackMsg()
        m.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        kind = m.WhichOneof("type")
        if kind == "rerun_script":
            r = m.rerun_script
            return f"rerun fragment={r.fragment_id[-6:] or '-'} auto={r.is_auto_rerun} widgets={len(r.widget_states.widgets)}"
        return str(kind)
    except Exception as exc:  # noqa: BLE001
        return f"? {type(exc).__name__}"
