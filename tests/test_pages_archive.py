"""AppTest: "Upload your Strava archive" on Home, then every page on the archive's data.

The upload goes through AppTest's own file_uploader support (``set_value``, new in
Streamlit 1.67's AppTest), so the real widget -> ``open_archive`` path runs. Archives are
built in memory with the builders of tests/test_archive.py.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import gpxpy
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from strava_dash.archive import ArchiveLimits
from strava_dash.ui import archive_view
from strava_dash.ui.detail_view import NO_STREAMS
from strava_dash.ui.state import AthleteSession
from tests.apptest_support import Downloads, button, figure_specs, new_app
from tests.test_archive import (
    CURRENT,
    OLDEST,
    csv_bytes,
    fit_file,
    gpx_file,
    make_zip,
    row,
    tcx_file,
    track_points,
)
from tests.tracks_support import assert_same_points, gpx_files, select, skipped_list, texts

PROFILE = (
    b"Athlete ID,Email Address,First Name,Last Name,Sex\n4242,grace@example.org,Grace,Hopper,F\n"
)
TRACKED = {9001: "activities/101.gpx", 9002: "activities/102.fit.gz", 9003: "activities/103.tcx.gz"}
MANUAL, MISSING = 9004, 9005

pytestmark = pytest.mark.usefixtures("no_strava_credentials")


def archive_bytes(*, profile: bool = True) -> bytes:
    points = track_points()
    files = {
        TRACKED[9001]: gpx_file(points),
        TRACKED[9002]: gzip.compress(fit_file(points)),
        TRACKED[9003]: gzip.compress(tcx_file(points)),
        "media/photo.jpg": b"\xff\xd8 not really a photo",
    }
    common = {
        "Distance": "1.26",
        "Distance__1": "1255.8",
        "Moving_Time": "598",
        "Elapsed_Time": "600",
    }
    rows = [
        row(9001, Activity_Type="Ride", Filename=TRACKED[9001], Activity_Gear="Canyon Endurace",
            Activity_Date="May 6, 2024, 4:02:34 AM", **common),
        row(9002, Activity_Type="Run", Filename=TRACKED[9002], Activity_Gear="Pegasus 40",
            Activity_Date="Apr 2, 2024, 6:10:00 PM", **common),
        row(9003, Activity_Type="Ride", Filename=TRACKED[9003], Activity_Gear="Canyon Endurace",
            Activity_Date="Jan 14, 2023, 9:00:00 AM", **common),
        row(MANUAL, Activity_Type="Yoga", Activity_Date="Dec 24, 2022, 8:00:00 AM",
            Elapsed_Time="3600", Moving_Time="3600"),
        row(MISSING, Activity_Type="Walk", Filename="activities/105.gpx",
            Activity_Date="Jun 1, 2021, 7:30:00 AM", **common),
    ]  # fmt: skip
    members = {"activities.csv": csv_bytes(CURRENT, rows), **files}
    if profile:
        members["profile.csv"] = PROFILE
    return make_zip(members)


def upload(at: AppTest, data: bytes, name: str = "export_4242.zip") -> AppTest:
    at.file_uploader[0].set_value((name, data, "application/zip")).run()
    assert not at.exception, at.exception
    return at


def session_of(at: AppTest) -> AthleteSession:
    session = at.session_state["dash_session"]
    assert isinstance(session, AthleteSession)
    return session


@pytest.fixture
def imported() -> AppTest:
    at = new_app()
    assert at.file_uploader[0].label == archive_view.LABEL
    return upload(at, archive_bytes())


# ----- the happy path ----------------------------------------------------------------------


def test_home_offers_the_archive_with_how_to_request_it() -> None:
    at = new_app()
    uploader = at.file_uploader[0]
    assert uploader.label == "Upload your Strava archive"
    assert uploader.allowed_type == [".zip"]
    assert uploader.proto.max_upload_size_mb == 1024  # = server.maxUploadSize
    caption = texts(at.caption)
    assert "Download or Delete Your Account → Request your archive" in caption
    assert "up to 1 GB" in caption


def test_uploaded_archive_opens_the_activities_table(imported: AppTest) -> None:
    at = imported
    session = session_of(at)
    assert session.source == "archive"
    assert session.display_name == "Grace Hopper"
    assert at.title[0].value == "Activities"
    table = at.dataframe[0].value
    assert len(table) == len(session.archive.activities) == 5  # type: ignore[union-attr]
    assert set(table["Activity ID"]) == {9001, 9002, 9003, MANUAL, MISSING}
    gear = dict(zip(table["Activity ID"], table["Gear"], strict=True))
    assert gear[9001] == "Canyon Endurace"
    assert gear[9002] == "Pegasus 40"
    sidebar = texts(at.sidebar.markdown) + texts(at.sidebar.caption)
    assert "From your Strava archive" in sidebar
    # The tracks start near Girona; the manual activity and the one whose file is missing
    # take that zone from the nearest GPS activity.
    assert "Local times of activities without GPS are inferred from your nearest" in sidebar
    assert "Times are in UTC" not in sidebar
    assert "could not be read" in sidebar  # the missing activities/105.gpx
    assert not texts(at.warning)  # no sync line for an archive
    assert not [b for b in [*at.button, *at.sidebar.button] if b.label == "Refresh"]


def test_gear_filter_works_on_archive_gear_names(imported: AppTest) -> None:
    at = imported
    at.multiselect(key="gear").set_value(["Canyon Endurace"]).run()
    assert not at.exception, at.exception
    assert set(at.dataframe[0].value["Activity ID"]) == {9001, 9003}


@pytest.mark.parametrize("page", ["pages/charts.py", "pages/map.py", "pages/activity.py"])
def test_every_page_renders_the_archive(imported: AppTest, page: str) -> None:
    at = imported
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error
    assert figure_specs(at), "no figure drawn"
    assert any("Powered by Strava" in c for c in texts(at.caption).split(" | "))


def test_map_draws_the_routes_from_the_activity_files(imported: AppTest) -> None:
    at = imported
    at.switch_page("pages/map.py").run()
    assert "Showing 3 of 5 activities' routes" in texts(at.caption)


def test_activity_detail_reads_streams_from_the_archive(imported: AppTest) -> None:
    at = imported
    at.session_state["selected_ids"] = [9002]
    at.switch_page("pages/activity.py").run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 2  # route, streams
    session = session_of(at)
    assert session.streams[9002]["heartrate"]["data"][:2] == [120, 121]
    # 2 April 2024, 18:10 UTC, in Girona: 20:10 summer time
    caption = texts(at.caption).replace("\\", "")  # markdown escapes, as in "20\\:10"
    assert "Tuesday 02 April 2024, 20:10 local time ·" in caption
    link = at.get("link_button")[0]
    assert link.proto.url == "https://www.strava.com/activities/9002"  # the real activity
    assert not link.proto.disabled
    at.session_state["selected_ids"] = [MANUAL]
    at.run()
    assert NO_STREAMS in texts(at.info)
    # 24 December 2022, 08:00 UTC: Madrid's winter time, from the nearest GPS activity
    caption = texts(at.caption).replace("\\", "")
    assert "Saturday 24 December 2022, 09:00 local time, inferred from your nearest GPS" in caption


def test_tracks_of_the_archive_download_as_gpx(downloads: Downloads, imported: AppTest) -> None:
    at = imported
    select(at, [9001, 9002, 9003, MANUAL, MISSING])
    assert "from your archive: no Strava requests" in texts(at.caption)
    button(at, "Fetch tracks").click().run()
    assert not at.exception, at.exception
    files = gpx_files(downloads.bytes_of(".zip"))
    assert set(files) == set(TRACKED)
    session = session_of(at)
    records = session.records_by_id()
    archive = session.archive
    assert archive is not None
    points = track_points()
    for activity_id in TRACKED:
        assert_same_points(files[activity_id], records[activity_id], archive.track(activity_id))
    listed = texts(skipped_list(at).markdown)
    assert "manual activity" in listed
    assert "no activity file in your archive" in listed
    times = [p.time for p in gpxpy.parse(files[9001]).tracks[0].segments[0].points]
    assert times == [p["time"] for p in points]  # the file's own clock, point for point


def test_an_unreadable_activity_file_is_listed_with_its_reason(downloads: Downloads) -> None:
    rows = [
        row(1, Filename="activities/1.gpx", Activity_Type="Ride"),
        row(2, Filename="activities/2.gpx", Activity_Type="Ride"),
    ]
    data = make_zip(
        {
            "activities.csv": csv_bytes(CURRENT, rows),
            "activities/1.gpx": gpx_file(track_points(50)),
            "activities/2.gpx": b"<gpx><trk>cut off",
        }
    )
    at = upload(new_app(), data)
    select(at, [1, 2])
    button(at, "Fetch tracks").click().run()
    assert not at.exception, at.exception
    assert "its track could not be read" in texts(skipped_list(at).markdown)
    assert set(gpx_files(downloads.bytes_of(".zip"))) == {1}
    at.switch_page("pages/activity.py").run()  # the detail page says so too, no traceback
    at.session_state["selected_ids"] = [2]
    at.run()
    assert not at.exception, at.exception
    assert "could not be read from your archive" in texts(at.error)


def test_downloads_say_the_data_is_from_the_archive(
    downloads: Downloads, imported: AppTest
) -> None:
    at = imported
    session = session_of(at)
    raw = json.loads(downloads.bytes_of(".json"))
    archive = session.archive
    assert archive is not None
    by_id = {r["id"]: r for r in archive.records}
    assert [r["id"] for r in raw] == at.dataframe[0].value["Activity ID"].tolist()
    assert all(r == by_id[r["id"]] for r in raw)  # exactly what the archive gave
    assert all(r.get("gear_id") is None for r in raw)  # no made-up gear ids
    book = openpyxl.load_workbook(io.BytesIO(downloads.bytes_of(".xlsx")))
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert "Strava archive" in str(about["Source"])
    assert "not the Strava API" in str(about["Source"])


def test_home_lists_what_could_not_be_read(imported: AppTest) -> None:
    at = imported
    at.switch_page("pages/home.py").run()
    assert not at.exception, at.exception
    assert "Exploring your Strava archive: 5 activities, 3 with an activity file" in texts(
        at.success
    )
    notes = next(e for e in at.expander if "could not be read" in e.label)
    assert "is listed but not in the archive" in texts(notes.markdown)
    assert "inferred from your nearest GPS activity" in texts(at.info)
    assert "Times are in UTC" not in texts(at.info)
    assert not at.file_uploader  # log out first to upload another


def test_log_out_closes_the_archive_and_offers_a_fresh_uploader(imported: AppTest) -> None:
    at = imported
    session = session_of(at)
    archive, kept = session.archive, session.upload
    assert archive is not None
    assert kept is not None
    button(at, "Log out").click().run()
    assert not at.exception, at.exception
    assert "dash_session" not in at.session_state
    assert kept.closed
    with pytest.raises(Exception, match="closed"):
        archive.track(9001)
    at.switch_page("pages/home.py").run()
    assert at.file_uploader[0].value is None


def test_without_profile_the_athlete_is_your_archive() -> None:
    at = upload(new_app(), archive_bytes(profile=False))
    assert session_of(at).display_name == "Your archive"


def test_the_oldest_export_without_times_or_elevation_drives_every_page() -> None:
    rows = [
        row(1, Distance="12.5", Elapsed_Time="3600", Activity_Gear="Old bike"),
        row(2, Activity_Type="Ride", Activity_Date="Jan 3, 2015, 10:00:00 AM"),
    ]
    at = upload(new_app(), make_zip({"activities.csv": csv_bytes(OLDEST, rows)}))
    assert len(at.dataframe[0].value) == 2
    for page in ("pages/charts.py", "pages/map.py", "pages/activity.py", "pages/home.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    # No activity file, so no time zone: times stay UTC, and every page says so.
    assert "Times are in UTC" in texts(at.info)
    assert "Times are in UTC" in texts(at.sidebar.caption)
    at.switch_page("pages/activity.py").run()
    at.session_state["selected_ids"] = [2]
    at.run()
    assert "Saturday 03 January 2015, 10:00 UTC" in texts(at.caption).replace("\\", "")


def test_device_clocks_without_any_gps_say_which_times_are_utc() -> None:
    rows = [
        row(1, Activity_Type="Virtual Ride", Filename="activities/1.fit",
            Activity_Date="May 6, 2024, 4:02:34 AM"),
        row(2, Activity_Type="Yoga", Activity_Date="May 7, 2024, 6:00:00 PM"),
    ]  # fmt: skip
    indoor = fit_file(track_points(30), before_fix=30, clock_offset=3 * 3600)
    at = upload(new_app(), make_zip({"activities.csv": csv_bytes(CURRENT, rows),
                                     "activities/1.fit": indoor}))  # fmt: skip
    assert "Some times are in UTC" in texts(at.sidebar.caption)
    at.switch_page("pages/activity.py").run()
    at.session_state["selected_ids"] = [1]
    at.run()
    assert "Monday 06 May 2024, 07:02 local time" in texts(at.caption).replace("\\", "")
    at.session_state["selected_ids"] = [2]
    at.run()
    assert "Tuesday 07 May 2024, 18:00 UTC" in texts(at.caption).replace("\\", "")


# ----- untrusted uploads -------------------------------------------------------------------


def _with_member(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", csv_bytes(CURRENT, [row(1)]))
        info = zipfile.ZipInfo("x")
        info.filename = name  # ZipInfo(name) would clean a hostile name up
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data)
    return buffer.getvalue()


BAD_UPLOADS: dict[str, tuple[bytes, str]] = {
    "not a zip": (b"this is a text file, not a ZIP", "is not a ZIP file"),
    "path traversal": (_with_member("../../etc/cron.d/evil", b"x"), "'..' in the path"),
    "absolute path": (_with_member("/etc/passwd", b"x"), "an absolute path"),
    "zip bomb": (_with_member("media/zeros.bin", bytes(50 << 20)), "possible ZIP bomb"),
    "not csv": (make_zip({"activities.csv": b"\x89PNG\r\n\x1a\n\x00\x00\rIHDR"}), "not CSV"),
    "missing columns": (
        make_zip({"activities.csv": b"Activity ID,Activity Name\n1,Lunch Run\n"}),
        "Activity Date",
    ),
    "no activities.csv": (make_zip({"profile.csv": PROFILE}), "has no activities.csv"),
    "empty": (b"", "empty"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_a_bad_upload_is_a_clear_message_and_no_session(case: str) -> None:
    data, expected = BAD_UPLOADS[case]
    at = upload(new_app(), data)
    errors = texts(at.error)
    assert "cannot be used as a Strava archive" in errors
    assert expected in errors, errors
    assert "Traceback" not in errors
    assert "dash_session" not in at.session_state
    at.run()  # the same file is not read again, the message stays
    assert expected in texts(at.error)


def test_an_archive_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_view, "LIMITS", ArchiveLimits(max_archive_bytes=1000))
    at = upload(new_app(), archive_bytes())
    assert "more than the" in texts(at.error)
    assert "dash_session" not in at.session_state


def test_a_good_archive_after_a_bad_one_goes_in() -> None:
    at = upload(new_app(), b"garbage")
    assert at.error
    at = upload(at, archive_bytes())
    assert session_of(at).source == "archive"


def test_a_hundred_thousand_bad_rows_give_a_short_list_on_home() -> None:
    # Issue 11: 100,001 notes (5.5 MB of markdown) froze the browser for minutes.
    good = row(7, Activity_Type="Run")
    lines = [
        ",".join(f'"{c}"' for c in CURRENT),
        csv_bytes(CURRENT, [good]).decode().split("\n")[1],
    ]
    lines += [f"not-a-number-{i},May 6, 2024" for i in range(100_000)]
    data = make_zip({"activities.csv": "\n".join(lines).encode()})
    at = upload(new_app(), data)
    at.switch_page("pages/home.py").run()
    assert not at.exception, at.exception
    notes = next(e for e in at.expander if "could not be read" in e.label)
    assert notes.label == "100,000 things in your archive could not be read"
    shown = texts(notes.markdown)
    assert shown.startswith("- line 3\\: no activity id")
    assert shown.endswith("- … and 99,995 more rows skipped like these")
    assert shown.count("\n- ") == 5
    assert len(shown) < 2_000
    assert "100,000 parts of your archive could not be read" in texts(at.sidebar.caption)
