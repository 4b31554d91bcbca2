"""md_escape: untrusted text shown through Markdown is read, never interpreted."""

from __future__ import annotations

import pytest

from core.text import WORD_JOINER, md_escape

WJ = WORD_JOINER


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("", ""),
        (None, ""),
        ("Kotka", "Kotka"),
        ("IX.9", "IX\\.9"),
        ("[Istunto vanhentunut](https://evil.example/login)",
         f"\\[Istunto vanhentunut\\]\\(https\\:{WJ}\\/\\/evil\\.example\\/login\\)"),
        ("![x](http://evil.example/p.png)", f"\\!\\[x\\]\\(http\\:{WJ}\\/\\/evil\\.example\\/p\\.png\\)"),
        ("www.evil.example", f"www{WJ}\\.evil\\.example"),
        ("a@evil.example", f"a\\@{WJ}evil\\.example"),
        ("<img src=x>", "\\<img src\\=x\\>"),
        ("**b** _i_ ~s~ `c`", "\\*\\*b\\*\\* \\_i\\_ \\~s\\~ \\`c\\`"),
        ("# otsikko\n- lista\r\n> lainaus", "\\# otsikko \\- lista \\> lainaus"),
        ("$x$ | {y} + z", "\\$x\\$ \\| \\{y\\} \\+ z"),
        (":red[x] :material/home:", "\\:red\\[x\\] \\:material\\/home\\:"),
        ("&lt;", "\\&lt;"),
        ("C:\\temp", "C\\:\\\\temp"),
        (2024, "2024"),
    ],
)
def test_md_escape(raw, escaped):
    assert md_escape(raw) == escaped


@pytest.mark.parametrize("raw", ["[a](http://b.example)", "kirjaudu: https://x.fi/?a=1&b=2", "näin *ei* __tätä__",
                                 "rivi\nrivi", "\\[", "äö ÅÄÖ € – —"])
def test_every_special_is_escaped_and_nothing_else_changes(raw):
    out = md_escape(raw).replace(WJ, "")
    plain, i = [], 0
    while i < len(out):  # undo the escapes: what a Markdown renderer shows
        if out[i] == "\\":
            i += 1
        plain.append(out[i])
        i += 1
    assert "".join(plain) == raw.replace("\n", " ")
