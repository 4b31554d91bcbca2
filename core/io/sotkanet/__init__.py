"""Fresh numbers from THL's Sotkanet: the REST client (``client``) and the fetch of the plan's indicators (``fetch``)."""

from core.io.sotkanet.client import USER_AGENT, SotkanetClient, SotkanetError
from core.io.sotkanet.fetch import (
    ATTRIBUTION,
    LICENCE,
    SotkanetFetch,
    attribution,
    default_years,
    fetch_plan_values,
    ignored_texts,
    is_fetched,
    mapped_ids,
    preview_for_display,
)

__all__ = [
    "USER_AGENT",
    "SotkanetClient",
    "SotkanetError",
    "ATTRIBUTION",
    "LICENCE",
    "SotkanetFetch",
    "attribution",
    "default_years",
    "fetch_plan_values",
    "ignored_texts",
    "is_fetched",
    "mapped_ids",
    "preview_for_display",
]
