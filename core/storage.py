"""Kept for older imports: the store now lives in the package ``core.store`` (same names)."""

from core.store import *  # noqa: F403
from core.store import __all__  # noqa: F401
from core.store.store import _now, _require_editor, _text, _write_retrying  # noqa: F401
