"""OAuth endpoints of the fake (strava-api.md §1): authorize, token, deauthorize, revoke."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from tests.fake_strava import consent_page
from tests.fake_strava.messages import (
    HTML_TYPE,
    Request,
    Response,
    auth_invalid,
    bad_request,
    fault,
    json_response,
    redirect,
)
from tests.fake_strava.models import KNOWN_SCOPES
from tests.fake_strava.state import StravaState

AUTHORIZE_PATHS = frozenset(
    {"/oauth/authorize", "/api/v3/oauth/authorize", "/oauth/mobile/authorize"}
)
TOKEN_PATHS = frozenset({"/oauth/token", "/api/v3/oauth/token"})
DEAUTHORIZE_PATH = "/oauth/deauthorize"
REVOKE_PATH = "/oauth/revoke"
HIDDEN_FIELDS = ("client_id", "redirect_uri", "response_type", "approval_prompt", "state")


@dataclass(frozen=True)
class AuthorizeRequest:
    redirect_uri: str
    state: str
    scopes: tuple[str, ...]
    hidden: dict[str, str]


def handle(state: StravaState, req: Request) -> Response | None:
    """The response for an OAuth path, or None when the path is not an OAuth one."""
    if req.path in AUTHORIZE_PATHS:
        return _authorize(state, req)
    if req.path in TOKEN_PATHS and req.method == "POST":
        return _token(state, req)
    if req.path == DEAUTHORIZE_PATH and req.method == "POST":
        return _deauthorize(state, req)
    if req.path == REVOKE_PATH and req.method == "POST":
        return _revoke(state, req)
    return None


def _validate(state: StravaState, params: dict[str, str]) -> AuthorizeRequest | Response:
    if params.get("client_id", "").strip() != state.client_id:
        return bad_request("Application", "client_id")
    redirect_uri = params.get("redirect_uri", "")
    target = urlsplit(redirect_uri)
    if target.scheme not in ("http", "https") or not target.netloc:
        return bad_request("Application", "redirect_uri")
    if params.get("response_type") != "code":
        return bad_request("Application", "response_type")
    scopes = tuple(dict.fromkeys(s.strip() for s in params.get("scope", "").split(",")))
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        return bad_request("Authorize", "scope")
    hidden = {k: params.get(k, "") for k in HIDDEN_FIELDS}
    hidden["requested_scope"] = ",".join(scopes)
    return AuthorizeRequest(redirect_uri, params.get("state", ""), scopes, hidden)


def _back_to_app(redirect_uri: str, pairs: list[tuple[str, str]]) -> Response:
    # Commas and colons stay literal in `scope=read,activity:read_all`, as Strava sends it.
    query = "&".join(f"{k}={quote(v, safe=',:')}" for k, v in pairs)
    return redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}")


def approved(
    state: StravaState, ask: AuthorizeRequest, athlete_id: int, scopes: tuple[str, ...]
) -> Response:
    """Redirect carrying a fresh code: ``?state=…&code=…&scope=…`` (state always present)."""
    code = state.new_code(athlete_id, scopes)
    return _back_to_app(
        ask.redirect_uri, [("state", ask.state), ("code", code), ("scope", ",".join(scopes))]
    )


def denied(ask: AuthorizeRequest) -> Response:
    return _back_to_app(ask.redirect_uri, [("state", ask.state), ("error", "access_denied")])


def _authorize(state: StravaState, req: Request) -> Response:
    if req.method == "POST":
        return _decision(state, req)
    ask = _validate(state, req.params())
    if isinstance(ask, Response):
        return ask
    mode = state.authorize_mode
    if mode == "deny":
        return denied(ask)
    signing_in = state.signing_in_athlete()
    if mode == "approve":
        if signing_in is None:
            return fault(400, "Fake Strava has no athletes: call add_athlete() first")
        granted = state.grant_scopes if state.grant_scopes is not None else ask.scopes
        return approved(
            state, ask, signing_in.id, tuple(s for s in granted if s not in state.untick)
        )
    page = consent_page.render(
        app_name=state.app_name,
        action=req.path,
        hidden=ask.hidden,
        scopes=list(ask.scopes),
        athletes=state.athletes,
        selected_athlete=signing_in.id if signing_in else None,
    )
    return Response(200, page.encode("utf-8"), HTML_TYPE)


def _decision(state: StravaState, req: Request) -> Response:
    """The consent form's POST: Cancel denies, Authorize grants the ticked scopes."""
    form = req.form()
    fields = {k: v[0] for k, v in form.items() if v}
    ask = _validate(state, {**fields, "scope": fields.get("requested_scope", "")})
    if isinstance(ask, Response):
        return ask
    if fields.get("decision") != "authorize":
        return denied(ask)
    raw_id = fields.get("athlete_id", "")
    athlete_id = int(raw_id) if raw_id.isdigit() else None
    if athlete_id is None or athlete_id not in {a.id for a in state.athletes}:
        return bad_request("Athlete", "id")
    ticked = set(form.get("scope", []))
    return approved(state, ask, athlete_id, tuple(s for s in ask.scopes if s in ticked))


def _token(state: StravaState, req: Request) -> Response:
    params = req.params()
    if params.get("client_id", "").strip() != state.client_id:
        return bad_request("Application", "client_id")
    secret = params.get("client_secret", "").encode()
    if not hmac.compare_digest(secret, state.client_secret.encode()):
        status = state.wrong_secret_status
        message = "Authorization Error" if status == 401 else "Bad Request"
        return fault(status, message, ("Application", "client_secret", "invalid"))
    grant_type = params.get("grant_type", "")
    if grant_type == "authorization_code":
        body = state.redeem_code(params.get("code", ""))
        return json_response(body) if body else bad_request("AuthorizationCode", "code")
    if grant_type == "refresh_token":
        body = state.refresh(params.get("refresh_token", ""))
        return json_response(body) if body else bad_request("RefreshToken", "refresh_token")
    return bad_request("Application", "grant_type")


def bearer(req: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header."""
    scheme, _, token = (req.header("Authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _deauthorize(state: StravaState, req: Request) -> Response:
    token = req.params().get("access_token") or bearer(req)
    access = state.access_token(token)
    if access is None:
        return auth_invalid()
    state.revoke_athlete(access.athlete_id)
    return json_response({"access_token": token})


def _basic_credentials(req: Request) -> tuple[str, str]:
    scheme, _, encoded = (req.header("Authorization") or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _revoke(state: StravaState, req: Request) -> Response:
    """RFC 7009 style: HTTP Basic client auth, ``token=``; unknown tokens also answer 200."""
    params = req.params()
    client_id, secret = _basic_credentials(req)
    client_id = client_id or params.get("client_id", "")
    secret = secret or params.get("client_secret", "")
    if client_id != state.client_id:
        return fault(401, "Authorization Error", ("Application", "client_id", "invalid"))
    if not hmac.compare_digest(secret.encode(), state.client_secret.encode()):
        return fault(401, "Authorization Error", ("Application", "client_secret", "invalid"))
    token = params.get("token", "")
    if not token:
        return bad_request("Token", "token")
    athlete_id = state.athlete_of_token(token)
    if athlete_id is not None:
        state.revoke_athlete(athlete_id)
    return json_response({})
