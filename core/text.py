"""Untrusted text shown through Markdown: escaped so that it is read, never interpreted.

Streamlit renders st.info/st.error/st.markdown/st.caption/st.toast… (and headers and labels) as
Markdown. A value from a link, a file, a person's name or the store put into such a call
unescaped can carry a live link (``[kirjaudu tästä](https://evil.example)``), an outside image
(``![x](http://…/pixel.png)``), a bare web address that becomes a link, or HTML. Every such value
goes through ``md_escape`` first; the catalogue's own Markdown (``**…**``) stays as it is.
"""

from __future__ import annotations

import re

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
