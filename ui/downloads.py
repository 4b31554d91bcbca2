"""Download buttons whose file is made when clicked, and that never fail silently.

The file is built by a callable (Streamlit's deferred download), so a page does not pay for it on
every rerun. A click also reruns the page: then the same builder is run once more inside the
script, and if it fails the user sees why in their language instead of an empty download.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.base.i18n import t
from core.io.exporter import BackupError

LOG = logging.getLogger(__name__)


def failure_text(exc: Exception, lang: str) -> str:
    """What the user is told when a download could not be made."""
    if isinstance(exc, BackupError):
        return exc.text(lang)
    return t("download.failed", lang, error=type(exc).__name__)


def download(
    container: object, label: str, build: Callable[[], bytes], file_name: str, mime: str, key: str, lang: str
) -> None:
    """A download button for ``build()``'s bytes; a message in ``lang`` if building them fails."""
    clicked = container.download_button(label, build, file_name=file_name, mime=mime, key=key)  # type: ignore[attr-defined]
    if clicked:
        try:
            build()
        except Exception as exc:  # any failure is shown, never only logged
            LOG.exception("download %s could not be built", file_name)
            container.error(failure_text(exc, lang))  # type: ignore[attr-defined]
