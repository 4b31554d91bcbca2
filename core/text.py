"""Untrusted text shown through Markdown: escaped so that it is read, never interpreted.

Streamlit renders st.info/st.error/st.markdown/st.caption/st.toast… (and headers and labels) as
Markdown. A value from a link, a file, a person's name or the store put into such a call
unescaped can carry a live link (``[kirjaudu tästä](https://evil.example)``), an outside image
(``![x](http://…/pixel.png)``), a bare web address that becomes a link, or HTML. Every such value
goes through ``md_escape`` first; the catalogue's own Markdown (``**…**``) stays as it is.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones that
# start or end an inline construct, a block, an autolink (. : @ in "www.x.fi", "https://…"),
# a Streamlit directive (":red[…]", ":material/…:") or LaTeX ($).
MD_SPECIALS = frozenset("\\`*_{}[]()#+-.!|<>~$:&=\"'@^%/")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
# GitHub-flavoured Markdown (remark-gfm, as in Streamlit) turns bare web and e-mail addresses into
# links AFTER escapes are resolved, so a backslash cannot stop it: an invisible WORD JOINER after
# "http:", "www" and "@" breaks the pattern while the text reads (and copies) the same.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto|xmpp):|\bwww(?=\.)|@)")


def md_escape(value: object) -> str:
    """``value`` as Markdown that shows exactly its characters: specials backslash-escaped,
    line breaks turned into spaces (a line break could start a heading, list or quote)."""
    if value is None:
        return ""
    text = _AUTOLINK.sub(r"\1" + WORD_JOINER, _LINE_BREAKS.sub(" ", str(value)))
    return "".join("\\" + ch if ch in MD_SPECIALS else ch for ch in text)
