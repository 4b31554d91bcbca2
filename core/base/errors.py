"""A refusal the user is shown: a catalogue key and its values, in either language.

``StoreError`` is the base of every refusal of a write (the store's and the model's checks alike);
``InvalidEdit`` is the one the value checks raise (``core.plan.validation``). They live here, below
the model and the store, so that both can raise them and a page catches one family.
"""

from __future__ import annotations

from core.base.i18n import CATALOGUE, DEFAULT_LANG, Msg, t


def field_label(fld: str, lang: str = DEFAULT_LANG) -> str:
    """The name of a stored field as the messages give it (catalogue key ``field.<name>``)."""
    return t(f"field.{fld}", lang)


class StoreError(ValueError):
    """Base class of the store's refusals: a catalogue key (``store.*``) and its values.

    ``message`` (and ``str(exc)``) is the Finnish text; ``text(lang)`` gives it in any UI language.
    A ``{label}`` in the text is the name of ``field``; a value that is itself a StoreError is
    shown in the same language.
    """

    def __init__(self, key: str, field: str | None = None, **values: object):
        self.key = key
        self.field = field
        self.values = values
        shown = {k: v.message if isinstance(v, StoreError) else v for k, v in values.items()}
        if field is not None and f"field.{field}" in CATALOGUE[DEFAULT_LANG]:
            shown.setdefault("label", Msg(f"field.{field}"))
        self.message = Msg(key, **shown)  # the Finnish text; a caller may show it in any language later
        super().__init__(self.message)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The refusal in ``lang`` ("fi" or "en")."""
        return self.message.text(lang)


class InvalidEdit(StoreError):
    """An edit that breaks a rule (required, length, allowed values); nothing was saved."""
