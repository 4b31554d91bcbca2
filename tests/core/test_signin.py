"""Passcode guessing (issue #19 item 1) and the day's sign-in token (item 2), as pure policy."""

from __future__ import annotations

import ipaddress

import pytest

from core.serving import auth

W = auth.WaitReason
NOW = 100_000.0


def ago(*seconds: float) -> list[float]:
    return [NOW - s for s in seconds]


@pytest.mark.parametrize(
    ("client", "session", "server", "reason", "seconds"),
    [
        ([], [], [], W.NONE, 0),
        (ago(5, 3), ago(5, 3), ago(5, 3), W.NONE, 0),  # two failures: answered at once
        (ago(5, 3, 1), ago(5, 3, 1), ago(5, 3, 1), W.DELAY, 1),  # the third: 2 s after it
        (ago(5, 3, 2.5), [], [], W.NONE, 0),  # …and after those 2 s, a new try
        (ago(30, 20, 10, 1), [], [], W.DELAY, 3),  # the fourth: 4 s
        (ago(*range(300, 0, -40)), [], [], W.DELAY, 44),  # 8 failures: 64 s
        (ago(*range(550, 0, -60)), [], [], W.DELAY, 246),  # 10 in the hour: 256 s
        (ago(*range(670, 0, -60)), [], [], W.DELAY, 290),  # 12: at most 5 min
        (ago(*range(2700, 0, -300)), [], [], W.NONE, 0),  # 9, the latest 5 min ago: 128 s have passed
        (ago(*range(7000, 3700, -300)), [], [], W.NONE, 0),  # older than an hour: count no more
        # the session's count binds even when its client has none (another address, same session)
        ([], ago(3, 2, 1), [], W.DELAY, 1),
        # a client that has not been guessing never waits, however many failures elsewhere (no lock-out)
        ([], [], ago(*[i * 5 for i in range(200)]), W.NONE, 0),
        # …but one that has failed waits longer while the service sees many: 50 in 15 min -> 32 s
        (ago(10), [], ago(*[10 + i * 10 for i in range(50)]), W.SERVER_DELAY, 22),
        (ago(10), [], ago(*[10 + i * 10 for i in range(29)]), W.NONE, 0),  # below 30: nothing extra
        (ago(10), [], ago(*[10 + i * 3 for i in range(200)]), W.SERVER_DELAY, 290),  # 200: at most 5 min
        (ago(10), [], ago(*[1000 + i * 3 for i in range(50)]), W.NONE, 0),  # over 15 min ago: no extra
    ],
)
def test_signin_wait(client, session, server, reason, seconds):
    wait = auth.signin_wait(client, session, server, NOW)
    assert wait.reason is reason
    assert wait.seconds == pytest.approx(seconds)
    assert wait.allowed is (reason is W.NONE)


def test_a_client_failing_as_soon_as_allowed_waits_longer_and_longer_but_is_never_locked():
    failures: list[float] = []
    now, waits = 0.0, []
    while len(failures) < 14:
        wait = auth.signin_wait(failures, [], failures, now)
        assert wait.reason in (W.NONE, W.DELAY)
        now += wait.seconds
        waits.append(round(wait.seconds))
        failures.append(now)
    assert waits == [0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


def test_fifty_wrong_guesses_from_seventeen_sessions_of_one_address_do_not_lock_out_the_real_editor():
    """Issue #19: 50 wrong guesses from 17 sessions took 6.3-6.9 s and locked everyone out for 15 min."""
    now, client, server = 0.0, [], []
    sessions = {f"s{i}": [] for i in range(17)}
    for n in range(50):
        mine = sessions[f"s{n % 17}"]  # a new session each try: the address's count binds them all
        wait = auth.signin_wait(client, mine, server, now)
        now += wait.seconds
        client.append(now)
        mine.append(now)
        server.append(now)
    assert now > 50 * 60  # 50 guesses took over 50 minutes, not 7 seconds
    editor = auth.signin_wait([], [], server, now)  # the real editor, from their own browser
    assert editor.allowed
    # the attacker's address, right after: still waiting (at most 5 min), never locked for good
    attacker = auth.signin_wait(client, [], server, now)
    assert attacker.reason is W.DELAY and 0 < attacker.seconds <= auth.MAX_DELAY_S


# ------------------------------------------------------------------ whose failures
NETS = auth.parse_networks("10.0.0.5, 192.168.1.0/24")


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", None, (), "203.0.113.9"),
        (None, None, (), "127.0.0.1"),  # Streamlit's loopback
        ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),  # no trusted proxy: a forwarded address is ignored
        ("203.0.113.9", "198.51.100.1", NETS, "203.0.113.9"),  # from a peer that is no trusted proxy: ignored
        ("10.0.0.5", "198.51.100.1", NETS, "198.51.100.1"),  # from the trusted proxy: used
        ("10.0.0.5", "1.2.3.4, 198.51.100.1", NETS, "198.51.100.1"),  # the left end is the visitor's own text
        ("10.0.0.5", "198.51.100.1, 192.168.1.7", NETS, "198.51.100.1"),  # through two trusted proxies
        ("10.0.0.5", "nonsense", NETS, "10.0.0.5"),  # not an address: the proxy itself
        ("10.0.0.5", None, NETS, "10.0.0.5"),
        ("2001:db8:1:2:aaaa::1", None, (), "2001:db8:1:2::/64"),  # an IPv6 client is its /64
        ("::ffff:203.0.113.9", None, (), "203.0.113.9"),
    ],
)
def test_client_address(peer, forwarded, trusted, expected):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    assert auth.client_address(peer, headers, trusted) == expected


def test_the_two_halves_of_an_ipv6_64_are_one_client():
    a = auth.client_address("2001:db8::1", {}, ())
    assert a == auth.client_address("2001:db8::ffff:1", {}, ()) != auth.client_address("2001:db8:0:1::1", {}, ())


def test_trusted_proxies_setting_is_parsed_or_refused():
    assert auth.parse_networks("") == ()
    assert auth.parse_networks("10.0.0.5 ::1") == (ipaddress.ip_network("10.0.0.5"), ipaddress.ip_network("::1"))
    with pytest.raises(ValueError):
        auth.parse_networks("10.0.0.5, proxy.example")


# ------------------------------------------------------------------ the day's token
SECRET = "a" * 64
TOKEN = auth.EditorToken("Maija Meikäläinen", "0123abcd", NOW + 3600)


def test_a_token_reads_back_and_carries_no_passcode():
    value = auth.make_editor_token(TOKEN, SECRET, "tunnus-2026")
    assert auth.read_editor_token(value, SECRET, "tunnus-2026", NOW) == TOKEN
    assert "tunnus" not in value and all(c.isalnum() or c in "-_." for c in value)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda v: (v, SECRET, "uusi-koodi", NOW), "the passcode has changed"),
        (lambda v: (v, "b" * 64, "tunnus-2026", NOW), "another store's secret"),
        (lambda v: (v, SECRET, "tunnus-2026", NOW + 3600), "expired"),
        (lambda v: (v.replace(".0123abcd.", ".0123abce."), SECRET, "tunnus-2026", NOW), "another id"),
        (
            lambda v: (
                v.split(".", 2)[0] + "." + str(int(NOW) + 99999) + "." + v.split(".", 2)[2],
                SECRET,
                "tunnus-2026",
                NOW,
            ),
            "a later expiry",
        ),
        (lambda v: (v[:-2], SECRET, "tunnus-2026", NOW), "cut short"),
        (lambda v: ("", SECRET, "tunnus-2026", NOW), "empty"),
        (lambda v: ("x" * 5000, SECRET, "tunnus-2026", NOW), "huge"),
        (lambda v: (v, "", "tunnus-2026", NOW), "no secret"),
    ],
)
def test_a_token_that_is_not_good_reads_as_none(change, why):
    value = auth.make_editor_token(TOKEN, SECRET, "tunnus-2026")
    assert auth.read_editor_token(*change(value)) is None, why
