"""Strava webhook events: parse and apply them to the store, manage the subscription.

Core, no Streamlit: :mod:`.events` parses a POSTed body, :mod:`.handler` applies it,
:mod:`.subscriptions` and :mod:`.cli` manage the app's one push subscription
(``python -m strava_dash.webhook``), :mod:`.routes` serves ``/api/strava/webhook`` as
Starlette routes that ``app.py`` mounts with ``st.App``.
"""

from __future__ import annotations

from strava_dash.webhook.events import Malformed, WebhookEvent, parse_event
from strava_dash.webhook.handler import (
    SUBSCRIPTION_META_KEY,
    Outcome,
    app_subscription_id,
    handle_event,
    process_body,
)

__all__ = [
    "SUBSCRIPTION_META_KEY",
    "Malformed",
    "Outcome",
    "WebhookEvent",
    "app_subscription_id",
    "handle_event",
    "parse_event",
    "process_body",
]
