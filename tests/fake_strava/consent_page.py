"""The HTML consent page of ``GET /oauth/authorize`` in "page" mode.

Plain and obviously fake. Stable hooks for browser tests: ``select[name=athlete_id]``,
one ``input[name=scope]`` checkbox per requested scope (``#scope-activity-read_all``:
colons become dashes), and the submit buttons ``#authorize`` / ``#cancel``.
"""

from __future__ import annotations

from html import escape

from tests.fake_strava.models import FakeAthlete

SCOPE_TEXT = {
    "read": "View public profile data, segments, routes and posts",
    "read_all": "View private routes, segments and events",
    "profile:read_all": "View your complete profile",
    "profile:write": "Update your weight, FTP and starred segments",
    "activity:read": "View data about your activities visible to Everyone and Followers",
    "activity:read_all": "View data about your private (Only You) activities too",
    "activity:write": "Upload activities and edit activities the app can read",
}


def scope_id(scope: str) -> str:
    """CSS-safe id of a scope's checkbox: ``activity:read_all`` -> ``scope-activity-read_all``."""
    return "scope-" + scope.replace(":", "-")


def render(
    *,
    app_name: str,
    action: str,
    hidden: dict[str, str],
    scopes: list[str],
    athletes: list[FakeAthlete],
    selected_athlete: int | None,
) -> str:
    """The page; ``hidden`` fields travel back to ``POST action`` unchanged."""
    hidden_inputs = "\n".join(
        f'    <input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in hidden.items()
    )
    options = "\n".join(
        f'      <option value="{a.id}"{" selected" if a.id == selected_athlete else ""}>'
        f"{escape(a.firstname)} {escape(a.lastname)} ({a.id})</option>"
        for a in athletes
    )
    boxes = "\n".join(
        f'    <li><label><input type="checkbox" name="scope" id="{scope_id(s)}" '
        f'value="{escape(s)}" checked> <code>{escape(s)}</code> — '
        f"{escape(SCOPE_TEXT.get(s, s))}</label></li>"
        for s in scopes
    )
    title = f"Fake Strava — authorize {escape(app_name)}"
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
  <h1>{title}</h1>
  <p><strong>This is a fake Strava server for tests and demos.</strong>
     Nothing here talks to the real Strava.</p>
  <form method="post" action="{escape(action)}" id="consent">
{hidden_inputs}
    <p><label for="athlete_id">Sign in as</label>
    <select name="athlete_id" id="athlete_id">
{options}
    </select></p>
    <p>{escape(app_name)} asks to:</p>
    <ul>
{boxes}
    </ul>
    <button type="submit" name="decision" value="authorize" id="authorize">Authorize</button>
    <button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>
  </form>
</body>
</html>
"""
