"""Text from outside (URLs, files, names, the store) shown as itself, never as Markdown or HTML."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(value: object) -> str:
    """``value`` as literal text inside Streamlit Markdown: specials backslash-escaped, one line."""
    text = " ".join(str(value if value is not None else "").split())
    return _MD_SPECIAL.sub(r"\\\1", text)
