"""Untrusted text shown through Markdown: escaped so that it is read, never interpreted.

Streamlit renders st.info/st.error/st.markdown/st.caption/st.toast… (and headers and labels) as
Markdown. A value from a link, a file, a person's name or the store put into such a call
unescaped can carry a live link (``[kirjaudu tästä](https://evil.example)``), an outside image
(``![x](http://…/pixel.png)``), a bare web address that becomes a link, or HTML. Every such value
goes through ``md_escape`` first; the catalogue's own Markdown (``**…**``) stays as it is.

Names (who signed in, an evaluator, an event's owner, a measure's contact person) go through
``clean_name``: a zero-width character inside a name makes it look exactly like another person's
name, and a direction override shows it reversed — in the app, the history and the minutes.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that start or end an inline construct anywhere in a line: links and images ([ ]),
# emphasis (* _ ~), code (`), HTML and autolinks (< >), entities (&), LaTeX ($), tables (|),
# directive attributes ({ }) and the escape itself. With [ and ] escaped, ( ) and ! are inert.
MD_SPECIALS = frozenset("\\`*_{}[]<>~$&|")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
# Streamlit turns ":smile:" into an emoji, ":material/home:" into an icon and ":red[…]" into colour,
# partly after escapes are resolved: a WORD JOINER after a colon that precedes a letter stops all three.
_COLON_WORD = re.compile(r":(?=[A-Za-z_+-])")
# At the start of a line: a heading, list, quote, rule or setext line.
_LINE_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))")
# GitHub-flavoured Markdown (remark-gfm, as in Streamlit) turns bare web and e-mail addresses into
# links AFTER escapes are resolved, so a backslash cannot stop it: an invisible WORD JOINER after
# "http:", "www" and "@" breaks the pattern while the text reads the same.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp):|\bwww(?=\.)|@)")


def md_escape(value: object) -> str:
    """``value`` as Markdown that shows exactly its characters (on one line: a line break could
    start a heading, list or quote, so it becomes a space). Plain sentences pass unchanged."""
    if value is None:
        return ""
    text = _AUTOLINK.sub(r"\1" + WORD_JOINER, _LINE_BREAKS.sub(" ", str(value)))
    text = _COLON_WORD.sub(":" + WORD_JOINER, text)
    text = "".join("\\" + ch if ch in MD_SPECIALS else ch for ch in text)
    return _LINE_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"), text, count=1
    )


# Characters that change what a name looks like without showing themselves: zero-width spaces and
# joiners, the word joiner, the byte-order mark, soft hyphen, and every direction mark, embedding,
# override and isolate (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0"
)
_INVISIBLE_RE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
NAME_MAX = 80
NAME_FIELDS = frozenset({"contact", "evaluator", "owner"})  # stored fields that hold a person's or a body's name


def strip_invisible(text: str) -> str:
    """``text`` in NFC with the ``INVISIBLE`` characters removed (line breaks and spacing kept)."""
    return _INVISIBLE_RE.sub("", unicodedata.normalize("NFC", text))


def clean_name(value: object, limit: int = NAME_MAX) -> str:
    """A person's name as shown and stored: NFC, invisible and direction-control characters removed,
    any run of whitespace or control characters one space, trimmed, at most ``limit`` characters.
    Empty when nothing visible is left: the caller refuses it."""
    if value is None:
        return ""
    text = strip_invisible(str(value))
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())[:limit]
