"""md_escape: untrusted text shown through Markdown is read, never interpreted."""

from __future__ import annotations

import pytest

from core.base.text import WORD_JOINER, md_escape

WJ = WORD_JOINER


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("", ""),
        (None, ""),
        ("Kotka", "Kotka"),
        ("IX.9", "IX.9"),
        ("Months must be given as numbers 1–12, not '13'.", "Months must be given as numbers 1–12, not '13'."),
        ("Rivi 3 (sarake 'year'): ei luku!", "Rivi 3 (sarake 'year'): ei luku!"),  # plain sentences pass unchanged
        (
            "[Istunto vanhentunut](https://evil.example/login)",
            f"\\[Istunto vanhentunut\\](https:{WJ}//evil.example/login)",
        ),
        ("![x](http://evil.example/p.png)", f"!\\[x\\](http:{WJ}//evil.example/p.png)"),
        ("www.evil.example", f"www{WJ}.evil.example"),
        ("a@evil.example", f"a@{WJ}evil.example"),
        ("<img src=x>", "\\<img src=x\\>"),
        ("**b** _i_ ~s~ `c`", "\\*\\*b\\*\\* \\_i\\_ \\~s\\~ \\`c\\`"),
        ("koko_maa", "koko\\_maa"),
        ("# otsikko\n- lista\r\n> lainaus", "\\# otsikko - lista \\> lainaus"),  # one line: only its start matters
        ("- lista", "\\- lista"),
        ("  > lainaus", "  \\> lainaus"),
        ("2024. vuosi", "2024\\. vuosi"),
        ("1) kohta", "1\\) kohta"),
        ("=== ", "\\=== "),
        ("$x$ | {y} + z", "\\$x\\$ \\| \\{y\\} + z"),
        (":red[x] :material/home: :smile:", f":{WJ}red\\[x\\] :{WJ}material/home: :{WJ}smile:"),
        ("klo 10:30: kokous", "klo 10:30: kokous"),
        ("&lt;", "\\&lt;"),
        ("C:\\temp", "C:\\\\temp"),
        (2024, "2024"),
    ],
)
def test_md_escape(raw, escaped):
    assert md_escape(raw) == escaped


@pytest.mark.parametrize(
    "raw",
    [
        "[a](http://b.example)",
        "kirjaudu: https://x.fi/?a=1&b=2",
        "näin *ei* __tätä__",
        "rivi\nrivi",
        "\\[",
        "äö ÅÄÖ € – —",
        "- 1. # > :x:",
    ],
)
def test_escapes_only_add_backslashes_and_joiners(raw):
    out = md_escape(raw).replace(WJ, "")
    plain, i = [], 0
    while i < len(out):  # undo the escapes: what a Markdown renderer shows
        if out[i] == "\\":
            i += 1
        plain.append(out[i])
        i += 1
    assert "".join(plain) == raw.replace("\n", " ")
