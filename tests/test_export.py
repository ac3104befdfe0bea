from __future__ import annotations

import codecs
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape
from pandas.testing import assert_frame_equal, assert_series_equal

from strava_dash import export
from strava_dash.activities import SCHEMA, to_frame
from strava_dash.errors import DataError
from strava_dash.export import (
    download_name,
    filename_slug,
    monthly_summary,
    to_csv,
    to_json,
    to_xlsx,
)

NASTY_NAMES = [
    "Morning Run 🏃‍♀️🔥",
    'He said "go"',
    "Commas, everywhere, ",
    "two\nlines",
    "windows\r\nline",
    "=1+1",
    '=HYPERLINK("https://evil.example","x")',
    "NA",
    "None",
    "null",
    "",
    "  leading and trailing  ",
    "https://www.example.org/route",
    "0042",
    "Été à Zürich — 東京",
]


def record(i: int, name: str, **extra: Any) -> dict[str, Any]:
    day = 1 + i % 28
    return {
        "id": 12_000_000_000 + i,
        "name": name,
        "sport_type": "Run" if i % 2 else "Ride",
        "type": "Run" if i % 2 else "Ride",
        "start_date": f"2024-05-{day:02d}T06:12:09Z",
        "start_date_local": f"2024-05-{day:02d}T08:12:09Z",
        "distance": 10_000.0 + i,
        "moving_time": 3723,
        "elapsed_time": 90_000,
        "total_elevation_gain": 84.0,
        "trainer": i % 3 == 0,
        "map": {"id": f"a{i}", "summary_polyline": "abc" if i % 2 else "", "resource_state": 2},
        **extra,
    }


@pytest.fixture
def frame() -> pd.DataFrame:
    return to_frame([record(i, name) for i, name in enumerate(NASTY_NAMES)])


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def load(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def column_cells(ws: Any, header: str) -> list[Any]:
    names = [cell.value for cell in ws[1]]
    letter = get_column_letter(names.index(header) + 1)
    return list(ws[letter][1:])


# -------------------------------------------------------------------------- CSV


def test_csv_round_trips_names_and_ids(frame: pd.DataFrame) -> None:
    back = read_csv(to_csv(frame))
    assert back["id"].tolist() == [str(i) for i in frame["id"]]
    assert back["name"].tolist() == frame["name"].tolist()
    assert sorted(back["name"]) == sorted(NASTY_NAMES)
    assert list(back.columns) == list(frame.columns)


def test_csv_has_a_bom_that_pandas_skips(frame: pd.DataFrame) -> None:
    data = to_csv(frame)
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].startswith(b"id,name,")
    assert read_csv(data).columns[0] == "id"
    assert pd.read_csv(io.BytesIO(data)).columns[0] == "id"
    assert "🏃‍♀️".encode() in data
    assert b"\r\n" in data


def test_csv_datetimes_are_iso_and_durations_h_mm_ss(frame: pd.DataFrame) -> None:
    back = read_csv(to_csv(frame)).set_index("id")
    row = back.loc[str(frame["id"].iloc[0])]
    assert row["start_date"].endswith("T06:12:09Z")
    assert row["start_date_local"].endswith("T08:12:09")
    assert len(row["local_date"]) == 10  # a column of midnights is written as dates
    assert row["moving_duration"] == "1:02:03"
    assert row["elapsed_duration"] == "25:00:00"  # hours do not wrap at 24
    assert row["workout_type"] == ""  # NA
    # and they parse back to the same values
    assert_series_equal(
        pd.to_datetime(back["start_date"], utc=True).dt.as_unit("ns"),
        frame.set_index(frame["id"].astype(str))["start_date"].rename_axis("id"),
        check_names=False,
    )
    durations = pd.to_timedelta(back["elapsed_duration"]).to_numpy()
    assert (durations == frame["elapsed_duration"].to_numpy()).all()


def test_csv_durations_with_fractions_negatives_and_na() -> None:
    df = pd.DataFrame(
        {
            "d": pd.to_timedelta(
                ["0:04:54.5", "-0:05:00", None, "100:00:00", "0:00:00.000001"]
            ).astype("timedelta64[ns]")
        }
    )
    text = read_csv(to_csv(df))["d"]
    assert text.tolist() == ["0:04:54.5", "-0:05:00", "", "100:00:00", "0:00:00.000001"]
    back = pd.to_timedelta(text.replace("", None)).astype("timedelta64[ns]")
    assert_series_equal(back, df["d"], check_names=False)


def test_csv_booleans_floats_and_unknown_lists() -> None:
    df = to_frame([record(1, "x", tags=["a", 1], gear={"id": "g1", "name": "Shoe"})])
    row = read_csv(to_csv(df)).iloc[0]
    assert row["trainer"] == "False"
    assert row["has_gps"] == "True"
    assert row["distance"] == "10001.0"
    assert row["tags"] == '["a", 1]'
    assert row["gear_name"] == "Shoe"
    assert row["elev_high"] == ""


def test_csv_empty_frame_is_a_header() -> None:
    back = read_csv(to_csv(to_frame([])))
    assert back.empty
    assert list(back.columns) == list(SCHEMA)


# ------------------------------------------------------------------------- XLSX


def test_xlsx_sheets_header_and_filter(frame: pd.DataFrame) -> None:
    wb = load(to_xlsx(frame, summary=monthly_summary(frame), about={"Athlete": "Ann"}))
    assert wb.sheetnames == ["Activities", "Summary", "About"]
    ws = wb["Activities"]
    assert [cell.value for cell in ws[1]] == list(frame.columns)
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    last = get_column_letter(len(frame.columns))
    assert ws.auto_filter.ref == f"A1:{last}{len(frame) + 1}"
    assert ws.max_row == len(frame) + 1


def test_xlsx_only_activities_sheet_by_default(frame: pd.DataFrame) -> None:
    assert load(to_xlsx(frame)).sheetnames == ["Activities"]


def test_xlsx_text_stays_text(frame: pd.DataFrame) -> None:
    ws = load(to_xlsx(frame))["Activities"]
    cells = column_cells(ws, "name")
    by_value = {cell.value: cell for cell in cells}
    formula = by_value["=1+1"]
    assert formula.data_type == "s"
    assert by_value['=HYPERLINK("https://evil.example","x")'].data_type == "s"
    assert by_value["https://www.example.org/route"].hyperlink is None
    assert by_value["0042"].data_type == "s"
    assert by_value["NA"].data_type == "s"
    # exact, "" included; only \r comes back as its OOXML escape (see the control test)
    assert [c.value for c in cells] == [n.replace("\r", "_x000D_") for n in frame["name"]]
    assert not any(cell.data_type == "f" for row in ws.iter_rows() for cell in row), (
        "no formula anywhere"
    )


def test_xlsx_link_column_is_a_real_hyperlink(frame: pd.DataFrame) -> None:
    ws = load(to_xlsx(frame))["Activities"]
    links = column_cells(ws, "strava_url")
    assert [c.value for c in links] == ["View on Strava"] * len(frame)
    assert [c.hyperlink.target for c in links] == frame["strava_url"].tolist()
    # no other column has links
    assert sum(1 for row in ws.iter_rows() for c in row if c.hyperlink) == len(frame)


def test_xlsx_link_column_can_be_turned_off(frame: pd.DataFrame) -> None:
    ws = load(to_xlsx(frame, link_column=None))["Activities"]
    cells = column_cells(ws, "strava_url")
    assert cells[0].hyperlink is None
    assert cells[0].value == frame["strava_url"].iloc[0]


def test_xlsx_links_beyond_excels_limit_are_text(
    frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "MAX_LINKS", 2)
    cells = column_cells(load(to_xlsx(frame))["Activities"], "strava_url")
    assert [c.hyperlink is not None for c in cells[:3]] == [True, True, False]
    assert cells[2].value == frame["strava_url"].iloc[2]


def test_xlsx_overlong_url_is_text() -> None:
    url = "https://www.strava.com/activities/1?" + "a" * 3000
    df = pd.DataFrame({"strava_url": pd.array([url, None], dtype="string")})
    ws = load(to_xlsx(df))["Activities"]
    assert ws["A2"].value == url
    assert ws["A2"].hyperlink is None


def test_xlsx_types(frame: pd.DataFrame) -> None:
    ws = load(to_xlsx(frame))["Activities"]
    first = {ws.cell(1, c).value: ws.cell(2, c) for c in range(1, ws.max_column + 1)}
    top = frame.iloc[0]

    assert first["id"].value == top["id"]
    assert first["id"].data_type == "n"
    assert first["id"].number_format == "0"  # 12-digit ids never shown as 1.2E+10
    assert first["distance"].value == top["distance"]

    assert first["start_date"].value == datetime(2024, 5, 15, 6, 12, 9)  # naive UTC
    assert first["start_date"].is_date
    assert first["start_date"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert first["start_date_local"].value == datetime(2024, 5, 15, 8, 12, 9)
    assert first["local_date"].value == datetime(2024, 5, 15)
    assert first["local_date"].number_format == "yyyy-mm-dd"

    duration = first["moving_duration"]  # a number of days, shown as a duration
    assert duration.number_format == "[h]:mm:ss"
    assert duration.value == timedelta(hours=1, minutes=2, seconds=3)
    assert first["elapsed_duration"].value == timedelta(hours=25)

    assert first["trainer"].data_type == "b"
    assert first["trainer"].value is bool(top["trainer"])
    assert first["elev_high"].value is None  # NA -> empty cell
    assert first["workout_type"].value is None
    assert top["sport_type"] == "Ride"
    assert first["pace_per_km"].value is None  # NaT: no pace for rides
    paces = [c.value for c in column_cells(ws, "pace_per_km")]
    assert paces[1] == timedelta(minutes=6, seconds=12)  # the next row is a run


def test_xlsx_column_widths_are_readable_and_capped() -> None:
    df = to_frame([record(1, "x" * 500), record(2, "short")])
    ws = load(to_xlsx(df))["Activities"]
    widths = {
        ws.cell(1, c).value: ws.column_dimensions[get_column_letter(c)].width
        for c in range(1, ws.max_column + 1)
    }
    assert 50 <= widths["name"] <= 51
    assert widths["start_date"] >= 19
    assert widths["average_heartrate"] >= len("average_heartrate")
    assert widths["strava_url"] >= len("View on Strava")


def test_xlsx_control_characters_are_escaped_not_fatal() -> None:
    names = ["tab\there", "vertical\x0btab", "nul\x00byte", "cr\ronly", "_x0041_ literal"]
    df = to_frame([record(i, n) for i, n in enumerate(names)])
    data = to_xlsx(df)
    strings = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    # XML 1.0 cannot hold these characters: xlsxwriter writes OOXML escapes, which
    # Excel turns back into the characters (and escapes a literal "_x0041_" itself).
    assert "vertical_x000B_tab" in strings
    assert "_x005F_x0041_ literal" in strings
    got = [c.value for c in column_cells(load(data)["Activities"], "name")]
    expected = df["name"].tolist()
    # openpyxl returns tab, newline and escaped literals exactly, but leaves the
    # escapes of other control characters (and of \r) as text; unescape() undoes them.
    assert got[expected.index("tab\there")] == "tab\there"
    assert got[expected.index("_x0041_ literal")] == "_x0041_ literal"
    assert got[expected.index("vertical\x0btab")] == "vertical_x000B_tab"
    assert got[expected.index("cr\ronly")] == "cr_x000D_only"
    for raw in ("vertical\x0btab", "nul\x00byte", "cr\ronly"):
        assert unescape(got[expected.index(raw)]) == raw


def test_xlsx_unknown_object_columns_as_json_text() -> None:
    records = [record(1, "a", tags=["x", 1], extra={"k": [1, 2]}), record(2, "b", tags=None)]
    df = to_frame(records)
    df["mixed"] = pd.Series([True, 2.5], dtype=object)
    ws = load(to_xlsx(df))["Activities"]
    assert [c.value for c in column_cells(ws, "tags")] == [None, '["x", 1]']
    assert [c.value for c in column_cells(ws, "mixed")] == [True, 2.5]


def test_xlsx_non_finite_numbers_are_empty() -> None:
    df = pd.DataFrame({"x": [1.0, np.inf, -np.inf, np.nan]})
    ws = load(to_xlsx(df))["Activities"]
    assert [ws.cell(row, 1).value for row in range(2, 6)] == [1, None, None, None]


def test_xlsx_empty_frame_has_the_header() -> None:
    ws = load(to_xlsx(to_frame([]), summary=monthly_summary(to_frame([]))))["Activities"]
    assert [cell.value for cell in ws[1]] == list(SCHEMA)
    assert ws.max_row == 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(SCHEMA))}1"


def test_xlsx_summary_and_about_sheets(frame: pd.DataFrame) -> None:
    summary = monthly_summary(frame)
    about = {"Athlete": "Ann", "Exported": "2024-06-01 10:00 UTC", "Filter": "=all"}
    wb = load(to_xlsx(frame, summary=summary, about=about))
    rows = [[c.value for c in row] for row in wb["Summary"].iter_rows()]
    assert rows[0] == list(summary.columns)
    assert rows[1][0] == datetime(2024, 5, 1)
    assert rows[1][1:3] == [summary["sport_type"].iloc[0], summary["activities"].iloc[0]]
    assert wb["Summary"].freeze_panes == "A2"
    assert [[c.value for c in row] for row in wb["About"].iter_rows()] == [
        ["Key", "Value"],
        ["Athlete", "Ann"],
        ["Exported", "2024-06-01 10:00 UTC"],
        ["Filter", "=all"],
    ]
    assert wb["About"]["B4"].data_type == "s"


# ------------------------------------------------------------------------- JSON


def test_json_round_trip_is_exact() -> None:
    records = [
        {
            "id": 2**63 - 1,
            "name": 'Morning Run 🏃 "quoted" \n é',
            "distance": 10234.6,
            "tiny": 5e-324,
            "third": 0.1 + 0.2,
            "big": 2**80,
            "start_latlng": [],
            "map": {"summary_polyline": "ki{eF\\vq"},
            "flag": None,
        },
        {"id": 12345678901, "nested": {"deep": [1, {"x": True}]}},
    ]
    data = to_json(records)
    assert json.loads(data) == records
    assert "🏃".encode() in data  # readable UTF-8, not \u escapes
    assert b'"id":9223372036854775807' in data


def test_json_empty_and_lone_surrogate() -> None:
    assert json.loads(to_json([])) == []
    records = [{"id": 1, "name": "broken \ud83d"}]
    data = to_json(records)
    data.decode("utf-8")  # still valid UTF-8
    assert json.loads(data) == records


def test_json_refuses_values_that_are_not_json() -> None:
    with pytest.raises(DataError, match="cannot be written as JSON"):
        to_json([{"id": 1, "when": datetime(2024, 1, 1)}])


def test_json_accepts_numpy_scalars() -> None:
    assert json.loads(to_json([{"id": np.int64(5), "x": np.float64(1.5)}])) == [{"id": 5, "x": 1.5}]


# ---------------------------------------------------------------------- summary


def test_monthly_summary_metric() -> None:
    records = [
        {**record(1, "a"), "start_date_local": "2024-05-31T23:00:00Z", "distance": 10_000.0},
        {**record(3, "b"), "start_date_local": "2024-05-02T08:00:00Z", "distance": 5_000.0},
        {**record(2, "c"), "start_date_local": "2024-06-01T07:00:00Z", "distance": 40_000.0},
        {**record(5, "d"), "start_date_local": "2024-04-10T07:00:00Z", "distance": 1_000.0},
    ]
    got = monthly_summary(to_frame(records))
    expected = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-04-01", "2024-05-01", "2024-06-01"]).astype(
                "datetime64[ns]"
            ),
            "sport_type": pd.array(["Run", "Run", "Ride"], dtype="string"),
            "activities": pd.array([1, 2, 1], dtype="Int64"),
            "distance_km": pd.array([1.0, 15.0, 40.0], dtype="Float64"),
            "moving_time_h": pd.array([1.03, 2.07, 1.03], dtype="Float64"),
            "elevation_gain_m": pd.array([84.0, 168.0, 84.0], dtype="Float64"),
        }
    )
    assert_frame_equal(got, expected)


def test_monthly_summary_imperial_and_sport_order() -> None:
    records = [record(1, "run"), record(2, "ride")]  # same month, Run and Ride
    got = monthly_summary(to_frame(records), units="imperial")
    assert list(got.columns) == [
        "month",
        "sport_type",
        "activities",
        "distance_mi",
        "moving_time_h",
        "elevation_gain_ft",
    ]
    assert got["sport_type"].tolist() == ["Ride", "Run"]
    assert got["distance_mi"].tolist() == [6.21, 6.21]  # 10,002 m and 10,001 m
    assert got["elevation_gain_ft"].tolist() == [pytest.approx(275.59)] * 2


def test_monthly_summary_of_nothing() -> None:
    got = monthly_summary(to_frame([]))
    assert got.empty
    assert {c: str(t) for c, t in got.dtypes.items()} == {
        "month": "datetime64[ns]",
        "sport_type": "string",
        "activities": "Int64",
        "distance_km": "Float64",
        "moving_time_h": "Float64",
        "elevation_gain_m": "Float64",
    }


def test_xlsx_overlong_text_is_cut_at_excels_cell_limit() -> None:
    long_name = "🏃" * 20_000  # 40,000 UTF-16 units: over Excel's 32,767
    ws = load(to_xlsx(to_frame([record(1, long_name), record(2, "x" * 40_000)])))["Activities"]
    names = [c.value for c in column_cells(ws, "name")]
    assert {len(n.encode("utf-16-le")) // 2 for n in names} == {32_766, 32_767}
    assert set(names[0]) <= {"🏃", "x"}  # whole characters: no half surrogate pair


def test_xlsx_dates_before_1900_are_text_beside_real_dates() -> None:
    df = to_frame([record(1, "a"), record(2, "b")])
    df.loc[1, "local_date"] = pd.Timestamp("1850-06-01")
    ws = load(to_xlsx(df))["Activities"]
    values = [c.value for c in column_cells(ws, "local_date")]
    assert values[0] == datetime(2024, 5, 3)
    assert values[1] == "1850-06-01T00:00:00"
    assert ws.cell(1, 1).font.b  # the header of a typed column is still bold


def test_xlsx_typed_columns_read_back_like_cell_by_cell_writes(frame: pd.DataFrame) -> None:
    ws = load(to_xlsx(frame))["Activities"]
    got = pd.DataFrame(
        [[c.value for c in row] for row in ws.iter_rows(min_row=2)],
        columns=[c.value for c in ws[1]],
    )
    assert got["id"].tolist() == frame["id"].tolist()
    assert [unescape(n) for n in got["name"]] == frame["name"].tolist()  # "" stays ""
    assert got["distance"].tolist() == frame["distance"].astype(float).tolist()
    assert got["trainer"].tolist() == frame["trainer"].tolist()
    assert ws.max_row == len(frame) + 1


@pytest.mark.parametrize(
    ("athlete", "expected"),
    [
        ("Jordi Vilà", "strava-activities-jordi-vila-2026-11-29.xlsx"),
        ("🚴‍♀️", "strava-activities-athlete-2026-11-29.xlsx"),
        ("../../etc/passwd", "strava-activities-etc-passwd-2026-11-29.xlsx"),
    ],
)
def test_download_names_are_safe_and_say_whose_and_when(athlete: str, expected: str) -> None:
    assert download_name("activities", athlete, date(2026, 11, 29), "xlsx") == expected


def test_filename_slug_is_cut_at_a_word_boundary_dash() -> None:
    assert filename_slug("a" * 10 + " " + "b" * 10, fallback="x", max_length=11) == "a" * 10


# ----------------------------------------------- round trips that catch corrupted numbers


def corruptible_frame() -> pd.DataFrame:
    """The table as pages hand it to the exports, with values a careless export would
    change: fractional floats, NA, integers past 2**31, starts given in several zones,
    fractional seconds; plus an aware column that is not in UTC."""
    offsets = ["Z", "+02:00", "-08:00", "+05:30", "+13:45", "-03:30"]
    records = [
        record(
            i,
            f"Ride {i}",
            start_date=f"2024-0{1 + i}-1{i}T0{i}:1{i}:5{i}.{i}25{offsets[i] if i else 'Z'}",
            start_date_local=f"2024-0{1 + i}-1{i}T2{i % 4}:0{i}:1{i}Z",
            distance=[10234.56789, 0.1, 1 / 3, 42195.0, 1e-7, 987654.321][i],
            moving_time=[3723, 1, 86_399, 90_061, 2**31 + 5, 59][i],
            average_speed=[3.398, None, 2.0000001, 0.5, 12.25, float("nan")][i],
            max_watts=[None, 1234.5, 0.0, -0.25, 1e15, 3.14159][i],
            average_heartrate=[148.3, 171.04, None, 99.99, 100.5, 60.0][i],
            athlete={"id": [9_007_199_254_740_991, 134815, 2**40 + 1, 1, 7, 8][i]},
            suffer_score=[42.0, None, 0.5, 7.75, 12.0, 1.5][i],
        )
        for i in range(6)
    ]
    frame = to_frame(records)
    madrid = frame["start_date"].dt.tz_convert("Europe/Madrid")
    return frame.assign(start_in_madrid=madrid)


def typed_like(back: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """The read-back text or cells in the original's dtypes (aware columns in UTC)."""
    out = {}
    for name, col in like.items():
        values = back[name].replace({"": None})
        dtype = col.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = pd.to_datetime(values, utc=True, format="ISO8601").astype(
                "datetime64[ns, UTC]"
            )
        elif dtype.kind == "M":
            out[name] = pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
        elif dtype.kind == "m":
            out[name] = pd.to_timedelta(values).astype("timedelta64[ns]")
        elif pd.api.types.is_bool_dtype(dtype):
            flags = values.map({"True": True, "False": False, True: True, False: False})
            out[name] = flags.astype(dtype)
        elif pd.api.types.is_numeric_dtype(dtype):
            out[name] = pd.to_numeric(values).astype(dtype)
        else:
            out[name] = values.astype(dtype)
    return pd.DataFrame(out)


def in_utc(frame: pd.DataFrame) -> pd.DataFrame:
    aware = [c for c, t in frame.dtypes.items() if isinstance(t, pd.DatetimeTZDtype)]
    return frame.assign(**{c: frame[c].dt.tz_convert("UTC") for c in aware})


def test_csv_gives_back_every_cell_of_the_table() -> None:
    frame = corruptible_frame()
    assert frame["distance"].tolist()[:2] != [round(x) for x in frame["distance"].tolist()[:2]]
    back = typed_like(read_csv(to_csv(frame)), frame)
    assert_frame_equal(back, in_utc(frame), check_exact=True)


def test_xlsx_gives_back_every_cell_of_the_table() -> None:
    frame = corruptible_frame()
    ws = load(to_xlsx(frame, link_column=None))["Activities"]
    cells = pd.DataFrame(
        [[c.value for c in row] for row in ws.iter_rows(min_row=2)],
        columns=[c.value for c in ws[1]],
        dtype=object,
    )
    aware = [c for c, t in frame.dtypes.items() if isinstance(t, pd.DatetimeTZDtype)]
    for name in aware:  # Excel holds no zone: the workbook's clock is UTC
        cells[name] = [None if v is None else pd.Timestamp(v, tz="UTC") for v in cells[name]]
    back = typed_like(cells, frame)
    assert_frame_equal(back, in_utc(frame), check_exact=True)


def test_xlsx_floats_that_need_17_digits_read_back_exactly() -> None:
    frame = corruptible_frame().head(3)
    frame["distance"] = pd.array([0.1 + 0.2, 2 / 3 * 1e5, 5e-324], dtype="Float64")
    frame["id"] = pd.array([2**53 + 1, 2**62, -1], dtype="Int64")
    ws = load(to_xlsx(frame, link_column=None))["Activities"]
    assert [c.value for c in column_cells(ws, "distance")] == [0.1 + 0.2, 2 / 3 * 1e5, 5e-324]
    assert [c.value for c in column_cells(ws, "id")] == [2**53 + 1, 2**62, -1]
