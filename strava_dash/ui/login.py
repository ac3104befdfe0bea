"""Connect with Strava (streamlit-oauth popup), the demo athlete, and logging out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import NoReturn

import httpx
import streamlit as st
from httpx_oauth.oauth2 import GetAccessTokenError
from streamlit_oauth import OAuth2Component, StreamlitOauthError

from strava_dash import demo
from strava_dash.auth import (
    REQUESTED_SCOPES,
    Token,
    TokenManager,
    check_scopes,
    deauthorize,
    describe_token_error,
    revoke_access,
)
from strava_dash.budget import budget_for
from strava_dash.client import StravaClient
from strava_dash.errors import (
    AppInactiveError,
    ScopeError,
    StoreError,
    StravaAPIError,
    StravaDashError,
)
from strava_dash.refresh_redis import shared_refresh_from_env
from strava_dash.settings import Settings
from strava_dash.sync import ActivityStore
from strava_dash.transport import build_session, error_for
from strava_dash.ui import state
from strava_dash.ui.state import AthleteSession
from strava_dash.ui.storage import Restored, delete_stored, hosting, restore

log = logging.getLogger(__name__)


@st.cache_data(show_spinner=False, max_entries=2)
def _demo_records(hour: str) -> list[dict[str, object]]:
    # The demo athlete is the same for every visitor, so a shared cache is safe here
    # (and only here). Keyed by the hour: the demo history ends now, without
    # activities later today that would not have happened yet.
    del hour
    return demo.demo_activities()


def start_demo() -> None:
    store = ActivityStore(athlete_id=demo.DEMO_ATHLETE_ID, complete=True)
    store.merge(_demo_records(f"{datetime.now(UTC):%Y-%m-%dT%H}"))
    store.last_synced = datetime.now(UTC)
    gear = {gear_id: str(g.get("name") or gear_id) for gear_id, g in demo.demo_gear().items()}
    state.set_current(AthleteSession("demo", demo.demo_athlete(), store, gear_names=gear))


def _oauth(settings: Settings) -> OAuth2Component:
    return OAuth2Component(
        settings.client_id,
        settings.client_secret,
        authorize_endpoint=settings.authorize_url,
        token_endpoint=settings.token_url,
        refresh_token_endpoint=settings.token_url,
        # Strava wants the credentials in the POST body; the default Basic header gets a 400.
        token_endpoint_auth_method="client_secret_post",
    )


def _exchange_failure(error: GetAccessTokenError) -> str:
    response = error.response
    if response is None:
        return "Strava could not be reached to finish the login. Please try again."
    mapped = error_for(response.status_code, dict(response.headers), response.content)
    if isinstance(mapped, AppInactiveError):
        return mapped.message
    return describe_token_error(mapped)


def _oauth_key() -> str:
    # A fresh widget key per attempt: a component keeps returning its last value on every
    # rerun, so a consumed result (error or success) must never be read a second time.
    return f"{state.OAUTH_BUTTON}_{st.session_state.get(state.OAUTH_ATTEMPT, 0)}"


def _fail(message: str) -> NoReturn:
    st.session_state[state.LOGIN_MESSAGE] = message
    st.session_state[state.OAUTH_ATTEMPT] = st.session_state.get(state.OAUTH_ATTEMPT, 0) + 1
    st.rerun()


def connect_button(settings: Settings) -> None:
    """The Connect with Strava button; on success the session holds the athlete's token."""
    key = _oauth_key()
    expected_state = st.session_state.get(f"state-{key}")
    try:
        result = _oauth(settings).authorize_button(
            "Connect with Strava",
            redirect_uri=settings.redirect_uri,
            scope=",".join(REQUESTED_SCOPES),
            key=key,
            extras_params={"approval_prompt": "auto"},
            use_container_width=True,
        )
    except StreamlitOauthError as error:
        if "access_denied" in str(error):
            _fail(
                "You cancelled on Strava's page, so nothing was shared. Connect again "
                "whenever you like."
            )
        _fail("That login attempt expired or did not come from this page. Please connect again.")
    except GetAccessTokenError as error:
        _fail(_exchange_failure(error))
    except httpx.HTTPError:
        _fail("Strava could not be reached to finish the login. Please try again in a moment.")
    if not result:
        return
    # streamlit-oauth accepts a redirect without any state; a login must prove it came
    # from the button this session rendered.
    if not expected_state or result.get("state") != expected_state:
        _fail("That login attempt did not come from this page. Please connect again.")
    try:
        token = Token.from_response(result["token"], scopes=result.get("scope"))
        scope_check = check_scopes(token.scopes)
    except ScopeError as error:
        _fail(error.message)
    except StravaDashError as error:
        _fail(str(error))
    st.session_state[state.OAUTH_ATTEMPT] = st.session_state.get(state.OAUTH_ATTEMPT, 0) + 1
    start_strava(settings, token, private_warning=scope_check.warning)
    st.rerun()


def start_strava(settings: Settings, token: Token, *, private_warning: str | None) -> None:
    """Hold the token and start downloading; a reconnect of the same athlete keeps data."""
    previous = state.current()
    hosting()  # [dash] secrets reach the core first (the budget and refresh read them)
    http = build_session()
    # Replicas sharing Redis refresh this athlete's token once, not once each.
    shared = shared_refresh_from_env(settings.client_id)
    manager = TokenManager(settings, token, session=http, shared_refresh=shared)
    same_athlete = (
        previous is not None
        and previous.source == "strava"
        and previous.athlete_id is not None
        and previous.athlete_id == token.athlete_id
    )
    if same_athlete and previous is not None:
        store, gear = previous.store, previous.gear_names
        restored = Restored(previous.recorder, None, previous.store_notice)
    else:
        store, gear = ActivityStore(athlete_id=token.athlete_id), {}
        restored = restore(token, store)
        gear.update(restored.gear_names or {})
    session = AthleteSession(
        "strava",
        dict(token.athlete),
        store,
        tokens=manager,
        gear_names=gear,
        recorder=restored.recorder,
        store_notice=restored.notice,
        private_warning=private_warning,
    )
    budget = budget_for(settings.api_url, settings.client_id)
    session.client = StravaClient(manager, api_url=settings.api_url, session=http, budget=budget)
    state.set_current(session)
    st.session_state.pop(state.LOGIN_MESSAGE, None)


def log_out(settings: Settings) -> None:
    """Stop everything running for the athlete and forget the whole browser session.

    With a store, the grant stays: revoking it obliges the app to delete the athlete's
    data (and Strava's deauthorization event would), so that is what "Disconnect and
    delete my data" does. Without one nothing is kept, so access is revoked as well.
    """
    session = state.current()
    notice = None
    stored = session is not None and session.recorder is not None
    if session is not None:
        if session.recorder is not None:
            session.recorder.detach()
        # First, so that pages in flight meet the revoked grant with no refresh attempt
        # and no further request follows the revoke.
        session.close()
    if (
        session is not None
        and session.tokens is not None
        and not stored
        and not session.tokens.ended
    ):
        try:
            deauthorize(settings, session.tokens.access_token())
        except StravaAPIError as error:
            log.warning("deauthorize failed: %s", error)
            notice = (
                "Logged out here, but Strava could not be told to revoke access. You can "
                "revoke it yourself at strava.com → Settings → My Apps."
            )
    state.clear()
    if notice:
        st.session_state[state.LOGIN_MESSAGE] = notice


def disconnect_and_delete(settings: Settings) -> None:
    """Revoke the app's access at Strava and delete everything stored for this athlete.

    The session is forgotten only when the deletion worked; otherwise it stays, with a
    message, so the athlete can try again.
    """
    session = state.current()
    if session is None or session.source != "strava" or session.athlete_id is None:
        return
    if session.recorder is not None:
        session.recorder.detach()  # a page arriving now must not write rows back
    session.close()  # the download stops: nothing more is asked of Strava
    revoke_failed = False
    if session.tokens is not None:
        try:
            revoke_access(settings, session.tokens.token)
        except StravaAPIError as error:
            log.warning("revoking access failed: %s", error)
            revoke_failed = True
    try:
        deleted = delete_stored(session.athlete_id)
    except StoreError as error:
        st.session_state[state.LOGIN_MESSAGE] = (
            f"Your data could not be deleted from this server right now ({error}). Please try "
            "again in a minute."
        )
        return
    state.clear()
    done = (
        "Your data was deleted from this server"
        + ("" if deleted else " (nothing was stored)")
        + " and Dash for Strava's access to your Strava account was revoked."
    )
    if revoke_failed:
        done = (
            "Your data was deleted from this server, but Strava could not be told to revoke "
            "access: revoke it yourself at strava.com → Settings → My Apps."
        )
    st.session_state[state.DELETED_MESSAGE] = done
