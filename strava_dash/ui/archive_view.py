"""The third way in: upload your Strava archive (the account export), no API requests.

The export's activities become the same activity table as a Strava login's, so every
page, filter, chart and download works on it; its activity files give the routes (map)
and the tracks (Activity detail, GPX download). The upload is untrusted:
:func:`strava_dash.archive.open_archive` checks size, ZIP bombs, file names and the CSV
and reads everything in memory, so nothing of it is ever written to disk here.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any, Final

import streamlit as st

from strava_dash.archive import ArchiveLimits, open_archive
from strava_dash.errors import StravaDashError
from strava_dash.sync import ActivityStore
from strava_dash.ui import state
from strava_dash.ui.state import AthleteSession
from strava_dash.ui.text import literal
from strava_dash.ui.views import local_time_note

LIMITS: Final = ArchiveLimits()
MiB: Final = 1 << 20
#: The uploader's cap in MB, the same as ``server.maxUploadSize`` in .streamlit/config.toml.
MAX_UPLOAD_MB: Final = LIMITS.max_archive_bytes // MiB
LABEL: Final = "Upload your Strava archive"
HOW_TO: Final = (
    "Strava e-mails it on request: strava.com → Settings → My Account → Download or Delete "
    "Your Account → Request your archive. Upload the export_….zip as it is (up to "
    f"{MAX_UPLOAD_MB // 1024} GB). No Strava login, no API requests."
)
DEFAULT_NAME: Final = "Your archive"
UPLOAD_KEY: Final = state.ARCHIVE_UPLOAD_KEY
REFUSED: Final = state.ARCHIVE_REFUSED
_PROFILE_MAX_BYTES: Final = MiB
_FIRST: Final = ("first name", "firstname", "first_name")
_LAST: Final = ("last name", "lastname", "last_name")
_ID: Final = ("athlete id", "athlete_id", "id")


def profile_athlete(upload: IO[bytes]) -> dict[str, Any]:
    """``id``, ``firstname`` and ``lastname`` from the export's ``profile.csv``; ``{}`` when
    it has none that can be read. Call only after :func:`open_archive` accepted the ZIP
    (its directory is then known to be safe); reads at most 1 MiB."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as zf:
            infos = [
                i
                for i in zf.infolist()
                if i.filename.rpartition("/")[2].casefold() == "profile.csv"
                and not i.filename.startswith("__MACOSX/")
            ]
            if not infos:
                return {}
            info = min(infos, key=lambda i: i.filename.count("/"))
            if info.file_size > _PROFILE_MAX_BYTES:
                return {}
            with zf.open(info) as fh:
                data = fh.read(_PROFILE_MAX_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError):
        return {}  # encrypted, damaged, odd compression: the name is not worth an error
    rows = list(csv.reader(io.StringIO(data[:_PROFILE_MAX_BYTES].decode("utf-8-sig", "replace"))))
    if len(rows) < 2:
        return {}
    values = {h.strip().casefold(): v.strip() for h, v in zip(rows[0], rows[1], strict=False)}

    def first_of(names: tuple[str, ...]) -> str:
        return next((values[n] for n in names if values.get(n)), "")

    athlete: dict[str, Any] = {}
    if first_of(_FIRST) or first_of(_LAST):
        athlete.update(firstname=first_of(_FIRST)[:100], lastname=first_of(_LAST)[:100])
    raw_id = first_of(_ID)
    if raw_id.isdigit():
        athlete["id"] = int(raw_id)
    return athlete


def open_upload(
    upload: IO[bytes], *, on_track: Callable[[int, int], None] | None = None
) -> AthleteSession:
    """The athlete session of an uploaded export (source "archive"), holding it open.

    Raises:
        DataError: the upload is not a usable Strava export; the message says why.
    """
    upload.seek(0)
    archive = open_archive(upload, limits=LIMITS, on_track=on_track)
    try:
        athlete = profile_athlete(upload) or {}
        if not (athlete.get("firstname") or athlete.get("lastname")):
            athlete["firstname"] = DEFAULT_NAME
        # No records in the store: the session reads the archive's table (a dict per
        # activity would take many times its memory, issue 11).
        store = ActivityStore(athlete_id=athlete.get("id"), complete=True)
        store.last_synced = datetime.now(UTC)
    except BaseException:
        archive.close()
        raise
    return AthleteSession("archive", athlete, store, archive=archive, upload=upload)


class _Progress:
    """A progress bar for reading the activity files, drawn on the first report only (an
    upload refused before any file is read shows no empty bar next to its error)."""

    def __init__(self) -> None:
        self._slot = st.empty()
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != self._shown:  # one update per percent, not per file
            self._shown = percent
            text = f"Reading activity files for the map: {done:,} of {total:,}"
            self._slot.progress(percent / 100, text=text)

    def clear(self) -> None:
        self._slot.empty()


def archive_uploader() -> None:
    """The uploader; a good archive becomes this session's data and opens Activities."""
    # A fresh widget per attempt: after a log out the old uploader (and its file) is gone.
    key = st.session_state.setdefault(UPLOAD_KEY, f"archive_upload_{uuid.uuid4().hex[:8]}")
    upload = st.file_uploader(
        LABEL,
        type=["zip"],
        key=key,
        max_upload_size=MAX_UPLOAD_MB,
        help="Your data stays in this browser session and is gone when you log out.",
    )
    st.caption(HOW_TO)
    if upload is None:
        st.session_state.pop(REFUSED, None)
        return
    refused = st.session_state.get(REFUSED)
    if isinstance(refused, tuple) and refused[0] == upload.file_id:
        st.error(refused[1], icon="🗂️")  # the same file again: no need to read it twice
        return
    progress = _Progress()
    try:
        with st.spinner("Opening your archive…"):
            session = open_upload(upload, on_track=progress)
    except StravaDashError as error:
        progress.clear()
        message = f"This file cannot be used as a Strava archive: {error}"
        st.session_state[REFUSED] = (upload.file_id, message)
        st.error(message, icon="🗂️")
        return
    st.session_state.pop(REFUSED, None)
    st.session_state.pop(UPLOAD_KEY, None)
    state.set_current(session)
    st.switch_page("pages/activities.py")


def archive_summary(session: AthleteSession) -> None:
    """On Home for an archive session: what was read, and what could not be."""
    archive = session.archive
    if archive is None:
        return
    ids = archive.activities["id"].tolist()
    count = len(ids)
    tracks = sum(archive.has_track(i) for i in ids)
    st.success(
        f"Exploring your Strava archive: {count:,} activities, {tracks:,} with an activity "
        "file. Log out to upload another or to connect with Strava.",
        icon="🗂️",
    )
    note = local_time_note(session)
    if note:
        st.info(note, icon="🕒")
    if archive.problems:
        noun = "thing" if archive.problems == 1 else "things"
        with st.expander(f"{archive.problems:,} {noun} in your archive could not be read"):
            # archive.notes are capped (a few examples per kind), so this stays small.
            st.markdown("\n".join(f"- {literal(note)}" for note in archive.notes))
