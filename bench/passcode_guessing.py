"""Passcode guessing at Streamlit's protocol level: how many guesses an attacker gets a minute.

Starts the app (bench/server.py) with a passcode and its own SQLite store, then plays an attacker
who speaks Streamlit's own protocol over ``/_stcore/stream`` (``BackMsg``/``ForwardMsg`` from the
``streamlit`` package), as the browser does: each guess opens the sidebar's sign-in box, fills in
a name and a wrong passcode and presses "Kirjaudu muokkaajaksi". An answer "Tunnuskoodi ei ole
oikein." is a guess; "Liian monta…"/"Palveluun…" ("wait N s") is a refusal that tells the attacker
nothing, and the attacker sleeps exactly as long as told (refusals are free, so polling would
not help them). Three attackers, each for ``--seconds``:

1. one client: one session, guessing as soon as allowed;
2. many sessions from one address: ``--sessions`` sessions guessing at once, each a new
   WebSocket session (the old per-session count gave each three free guesses);
3. many sessions from as many addresses: as 2, each with its own X-Forwarded-For. The server
   (uvicorn) believes X-Forwarded-For from a proxy on this machine, so this is the case of a
   proxy in front of the app relaying a botnet.

After each, the real editor signs in with the right passcode from an address that has not been
guessing, and the time that takes is reported (it must not be refused).

    .venv/bin/python bench/passcode_guessing.py                 # 120 s each
    .venv/bin/python bench/passcode_guessing.py --seconds 600 --sessions 17
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import AppServer  # noqa: E402 - the app on a free port (shared with the browser tests)

PASSCODE = "bench-guessing-2026"  # only inside this process and its server
PAGE = "historia"  # a light page with the sidebar
WRONG = "Tunnuskoodi ei ole oikein."
WAITS = ("Liian monta", "Palveluun")
CANNOT = "Tunnuskoodilla ei voi nyt kirjautua"
SIGNED_IN = "Muokkaat nimellä"
ID_RE = re.compile(rb"\$\$ID-[0-9a-f]+-(?:w_signin_open|signin_name|signin_code|FormSubmitter:signin-[^\x00-\x1f\"]+)")


@dataclass
class Answer:
    kind: str  # "wrong", "wait", "signed_in", "cannot", "other"
    text: str
    wait_s: float = 0.0


def wait_seconds(text: str) -> float:
    """The wait the app asked for, from "Odota 4 s" or "Odota 3 min"."""
    m = re.search(r"Odota (\d+) (s|min)\b", text)
    if not m:
        return 1.0
    return float(m.group(1)) * (60 if m.group(2) == "min" else 1)


class ProtocolSession:
    """One browserless session on the app: its WebSocket and the sign-in widgets' ids."""

    def __init__(self, url: str, forwarded_for: str | None = None, timeout: float = 60.0):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        self.timeout = timeout
        self.ids: dict[str, str] = {}
        self.ws = None

    async def __aenter__(self) -> ProtocolSession:
        from websockets.asyncio.client import connect  # noqa: PLC0415

        self.ws = await asyncio.wait_for(
            connect(
                self.ws_url,
                subprotocols=["streamlit"],
                max_size=None,
                ping_interval=None,
                additional_headers=self.headers,
                open_timeout=self.timeout,
            ),
            self.timeout,
        )
        await self.run({})  # the page, sign-in box closed
        await self.run({"open": True})  # the box opened: its form is built now
        return self

    async def __aexit__(self, *exc) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def run(self, values: dict) -> list[str]:
        """Rerun the page with these widget values; return the texts of the error/success boxes."""
        from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: PLC0415
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: PLC0415

        msg = BackMsg()
        cs = msg.rerun_script
        cs.page_name = PAGE
        cs.widget_states.SetInParent()
        for name, value in values.items():
            w = cs.widget_states.widgets.add()
            w.id = self.ids.get(name, "")
            if name == "open":
                w.bool_value = bool(value)
            elif name == "submit":
                w.trigger_value = True
            else:
                w.string_value = str(value)
        await self.ws.send(msg.SerializeToString())
        texts: list[str] = []
        deadline = time.monotonic() + self.timeout
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), max(0.1, deadline - time.monotonic()))
            if isinstance(raw, str):
                continue
            for found in ID_RE.findall(raw):
                wid = found.decode()
                key = wid.rsplit("-", 1)[-1] if "FormSubmitter" not in wid else "submit"
                self.ids[{"w_signin_open": "open", "signin_name": "name", "signin_code": "code"}.get(key, key)] = wid
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                if el.WhichOneof("type") == "alert":
                    texts.append(el.alert.body)
                elif el.WhichOneof("type") == "markdown":
                    texts.append(el.markdown.body)
            elif kind == "script_finished" and fwd.script_finished in (0, 2):  # SUCCESSFULLY / EARLY_FOR_RERUN
                if fwd.script_finished == 0:
                    return texts
                texts = []  # st.rerun() after a sign-in: the next run follows

    async def try_code(self, code: str, name: str = "Arvaaja") -> Answer:
        """Submit the sign-in form once."""
        texts = await self.run({"open": True, "name": name, "code": code, "submit": True})
        for text in texts:
            if text.startswith(WRONG):
                return Answer("wrong", text, wait_seconds(text) if "Odota" in text else 0.0)
            if text.startswith(WAITS):
                return Answer("wait", text, wait_seconds(text))
            if text.startswith(CANNOT):
                return Answer("cannot", text)
        if any(t.startswith(SIGNED_IN) for t in texts):
            return Answer("signed_in", "")
        return Answer("other", " | ".join(texts)[:200])


@dataclass
class Tally:
    guesses: int = 0
    refusals: int = 0
    other: list[str] = field(default_factory=list)


async def attacker(url: str, forwarded_for: str | None, until: float, tally: Tally, reuse: bool) -> None:
    """Guess wrong passcodes until ``until``: a new session per guess (``reuse`` False) or one session."""
    n = 0
    session = None
    try:
        while time.monotonic() < until:
            if session is None or not reuse:
                if session is not None:
                    await session.__aexit__()
                session = await ProtocolSession(url, forwarded_for).__aenter__()
            n += 1
            answer = await session.try_code(f"arvaus-{id(tally)}-{n}")
            if answer.kind == "wrong":
                tally.guesses += 1
            elif answer.kind == "wait":
                tally.refusals += 1
            else:
                tally.other.append(answer.kind + ": " + answer.text)
            if answer.wait_s:
                await asyncio.sleep(min(answer.wait_s + 0.05, max(0.0, until - time.monotonic())))
    finally:
        if session is not None:
            await session.__aexit__()


async def real_editor(url: str, address: str) -> tuple[str, float]:
    t0 = time.perf_counter()
    async with ProtocolSession(url, address) as session:
        answer = await session.try_code(PASSCODE, name="Oikea Muokkaaja")
    return answer.kind, time.perf_counter() - t0


async def scenario(url: str, name: str, sessions: int, seconds: float, addresses: bool, reuse: bool, n: int) -> dict:
    tally = Tally()
    until = time.monotonic() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(
        *(
            attacker(url, f"198.51.{n}.{i + 1}" if addresses else f"203.0.113.{n}", until, tally, reuse)
            for i in range(sessions)
        )
    )
    elapsed = time.perf_counter() - t0
    kind, took = await real_editor(url, f"192.0.2.{n}")
    return {
        "name": name,
        "guesses": tally.guesses,
        "refusals": tally.refusals,
        "minutes": elapsed / 60,
        "rate": tally.guesses / (elapsed / 60),
        "editor": kind,
        "editor_s": took,
        "other": tally.other[:3],
    }


def policy_guesses(hours: float, addresses: int = 1) -> int:
    """Guesses the rules in core.serving.auth allow ``addresses`` clients guessing as soon as allowed, in ``hours``
    (the same arithmetic as the server, without it: the figure for runs longer than a benchmark)."""
    from core.serving import auth  # noqa: PLC0415

    own: list[list[float]] = [[] for _ in range(addresses)]
    server: list[float] = []
    now, end, count = 0.0, hours * 3600, 0
    while True:
        waits = [auth.signin_wait(mine, [], server, now).seconds for mine in own]
        i = min(range(addresses), key=lambda k: waits[k])
        now += waits[i]
        if now > end:
            return count
        own[i].append(now)
        server.append(now)
        count += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=120.0, help="how long each attacker guesses")
    ap.add_argument("--sessions", type=int, default=17, help="sessions at once in scenarios 2 and 3")
    args = ap.parse_args()
    runs = [
        ("one client, one session", 1, False, True),
        (f"one address, {args.sessions} sessions at once, a new session per guess", args.sessions, False, False),
        (f"{args.sessions} addresses (X-Forwarded-For), a new session per guess", args.sessions, True, False),
    ]
    results = []
    for n, (name, sessions, addresses, reuse) in enumerate(runs, start=1):
        with tempfile.TemporaryDirectory() as tmp:  # a store of its own: no counts from the run before
            server = AppServer(f"sqlite:///{tmp}/guess.db", {"KYMLAPSET_EDITOR_PASSCODE": PASSCODE}).start()
            try:
                print(f"{name}: {args.seconds:.0f} s …", flush=True)
                results.append(asyncio.run(scenario(server.url, name, sessions, args.seconds, addresses, reuse, n)))
            finally:
                server.stop()
    print()
    print(f"{'attacker':<72} {'guesses':>7} {'refused':>7} {'per min':>8}  real editor")
    for r in results:
        editor = f"{r['editor']} in {r['editor_s']:.1f} s"
        print(f"{r['name']:<72} {r['guesses']:>7} {r['refusals']:>7} {r['rate']:>8.2f}  {editor}")
        for other in r["other"]:
            print(f"    unexpected answer: {other}")
    print()
    print("by the rules (core.serving.auth), guessing as soon as allowed:")
    for addresses in (1, args.sessions):
        hour, day = policy_guesses(1, addresses), policy_guesses(24, addresses)
        print(f"  {addresses:>3} address(es): {hour} guesses in the first hour, {day} in a day ({day / 1440:.2f}/min)")
    return 0 if all(r["editor"] == "signed_in" and not r["other"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
