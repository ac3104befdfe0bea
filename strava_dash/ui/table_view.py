"""The Activities page's body: headline metrics, the table, and its downloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.lib.column_types import ColumnConfig

from strava_dash import export, table_pages
from strava_dash.export import download_name
from strava_dash.filters import apply_filters, summarize
from strava_dash.selection import CHART_TITLES
from strava_dash.table import (
    BY_KEY,
    COLUMNS,
    DEFAULT_KEYS,
    LINK_HEADER,
    display_frame,
    kinds_by_header,
)
from strava_dash.ui import state
from strava_dash.ui.pager import pager
from strava_dash.ui.views import FilteredView
from strava_dash.units import M_PER_FT, M_PER_KM, M_PER_MI, Units, label_for

#: The activity grid's key starts with this (the rest names the rows it shows).
GRID_KEY = "activity_table"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The About sheet's "Source": where the rows (and the raw JSON download) came from.
SOURCES: dict[state.Source, str] = {
    "demo": "Demo data",
    "strava": "Strava API",
    "archive": "Your Strava archive (account export), not the Strava API",
}


def _format_hours(hours: float) -> str:
    whole = int(hours)
    return f"{whole:,}h {round((hours - whole) * 60):02d}m"


def headline_metrics(view: FilteredView) -> None:
    """Count, distance, time and climb of the filtered set, against the previous period."""
    now = summarize(view.filtered)
    # A visual selection picks its own days and cells: "the period before" it means nothing.
    previous_spec = None if view.selections else view.spec.previous_period()
    before = summarize(apply_filters(view.frame, previous_spec)) if previous_spec else None
    per_km = 1.0 if view.units == "metric" else M_PER_MI / M_PER_KM
    per_m = 1.0 if view.units == "metric" else M_PER_FT
    dist_unit = label_for("distance", view.units)
    elev_unit = label_for("elevation", view.units)

    def delta(key: str, scale: float, fmt: Callable[[float], str]) -> str | None:
        if before is None:
            return None
        change = (now[key] - before[key]) / scale
        return ("+" if change >= 0 else "−") + fmt(abs(change))

    cols = st.columns(4)
    cols[0].metric("Activities", f"{int(now['count']):,}", delta("count", 1, lambda v: f"{v:,.0f}"))
    cols[1].metric(
        f"Distance ({dist_unit})",
        f"{now['distance_km'] / per_km:,.0f}",
        delta("distance_km", per_km, lambda v: f"{v:,.0f}"),
    )
    cols[2].metric(
        "Moving time",
        _format_hours(now["moving_time_h"]),
        delta("moving_time_h", 1, _format_hours),
    )
    cols[3].metric(
        f"Elevation gain ({elev_unit})",
        f"{now['elevation_m'] / per_m:,.0f}",
        delta("elevation_m", per_m, lambda v: f"{v:,.0f}"),
    )
    start, end = view.spec.start, view.spec.end
    if before is not None and start is not None and end is not None:
        days = (end - start).days + 1
        st.caption(f"Changes compare with the {days} days before the chosen period.")


def _column_config(keys: list[str], units: Units) -> dict[str, ColumnConfig]:
    config: dict[str, ColumnConfig] = {}
    for header, column in kinds_by_header(keys, units).items():
        if column.kind == "link":
            config[header] = st.column_config.LinkColumn(header, display_text="View on Strava")
        elif column.kind == "datetime":
            config[header] = st.column_config.DatetimeColumn(header, format="YYYY-MM-DD HH:mm")
        elif column.kind in ("duration", "pace"):
            config[header] = st.column_config.TimeColumn(
                header, format="m:ss" if column.kind == "pace" else "H:mm:ss"
            )
        elif column.kind == "number":
            config[header] = st.column_config.NumberColumn(header, format=f"%.{column.decimals}f")
        elif column.kind == "integer":
            config[header] = st.column_config.NumberColumn(header, format="%d")
        elif column.kind == "bool":
            config[header] = st.column_config.CheckboxColumn(header)
    return config


def _as_clock(frame: pd.DataFrame, keys: list[str], units: Units) -> pd.DataFrame:
    """Durations as times of day, so the grid shows h:mm:ss / m:ss and sorts correctly."""
    shown = frame.copy()
    for header, column in kinds_by_header(keys, units).items():
        if column.kind not in ("duration", "pace"):
            continue
        values = shown[header]
        if values.dropna().ge(pd.Timedelta(days=1)).any():
            continue  # a multi-day ultra would wrap around as a time of day
        shown[header] = (pd.Timestamp("2000-01-01") + values).dt.time
    return shown


def activity_table(view: FilteredView) -> pd.DataFrame:
    """Column chooser plus the table; returns the frame shown (display units)."""
    options = [c.key for c in COLUMNS]
    if state.TABLE_COLUMNS not in st.session_state:
        st.session_state[state.TABLE_COLUMNS] = list(DEFAULT_KEYS)
    with st.popover("Columns", icon=":material/view_column:"):
        keys = st.multiselect(
            "Columns shown (and downloaded)",
            options,
            format_func=lambda k: BY_KEY[k].header(view.units),
            key=state.TABLE_COLUMNS,
            persist_state="session",
        )
    if not keys:
        keys = list(DEFAULT_KEYS)
    shown = display_frame(
        view.filtered, units=view.units, keys=keys, gear_names=view.session.gear_names
    )
    if table_pages.needs_pages(len(shown)):
        return _paged_table(view, keys, shown)
    ids = [int(i) for i in view.filtered["id"]]
    chosen = _grid(view, keys, shown, ids)
    st.session_state[state.SELECTED_IDS] = chosen
    if chosen:
        st.caption(f"{len(chosen)} selected (kept while you browse).")
    return shown


def _grid(view: FilteredView, keys: list[str], rows: pd.DataFrame, ids: list[int]) -> list[int]:
    """The grid of ``rows`` (activity ``ids``, in order); returns the ids ticked, in order.

    A keyed grid keeps its ticked row *positions* when its data changes (streamlit#17026),
    which would silently tick other activities after a filter, a sync or a page turn. So
    the key names exactly the rows shown, and a new grid starts from the activities
    selected so far (``selection_default``): a selection follows activities, not rows.
    """
    default_rows = table_pages.rows_of(ids, st.session_state.get(state.SELECTED_IDS) or [])
    generation = int(st.session_state.get(state.TABLE_GRID_GENERATION) or 0)
    event = st.dataframe(
        _as_clock(rows, keys, view.units),
        column_config=_column_config(keys, view.units),
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        selection_default={"selection": {"rows": default_rows}} if default_rows else None,
        key=f"{GRID_KEY}_{table_pages.page_token(ids)}_{generation}",
        height=520,
        placeholder="",
    )
    ticked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    return [ids[r] for r in sorted(ticked) if 0 <= r < len(ids)]


def _sort_order(
    view: FilteredView, keys: list[str], left: DeltaGenerator, right: DeltaGenerator
) -> tuple[str, bool]:
    """The Sort by column and direction widgets; returns (column key, descending)."""
    options = [table_pages.DEFAULT_SORT, *(k for k in keys if k != table_pages.DEFAULT_SORT)]
    if st.session_state.get(state.TABLE_SORT) not in options:
        st.session_state[state.TABLE_SORT] = table_pages.DEFAULT_SORT  # its column was hidden
    key = left.selectbox(
        "Sort by",
        options,
        format_func=lambda k: BY_KEY[k].header(view.units),
        key=state.TABLE_SORT,
        persist_state="session",
        help="Sorts every filtered activity, not only this page (the grid's own column "
        "headers sort the page shown).",
    )
    descending = right.segmented_control(
        "Order",
        [True, False],
        format_func=lambda d: table_pages.direction_words(key, descending=d).capitalize(),
        default=True,
        required=True,
        key=state.TABLE_SORT_DESC,
        persist_state="session",
    )
    return key, bool(descending)


def _clear_selection() -> None:
    st.session_state[state.SELECTED_IDS] = []
    generation = int(st.session_state.get(state.TABLE_GRID_GENERATION) or 0)
    st.session_state[state.TABLE_GRID_GENERATION] = generation + 1


def _paged_table(view: FilteredView, keys: list[str], shown: pd.DataFrame) -> pd.DataFrame:
    """A table longer than a page: sorted here over every row, one page sent to the browser.

    Returns every filtered row in the chosen order (what the downloads hold). The selection
    is kept across pages: each page's grid starts from the ids selected so far, and its
    key names exactly the rows it shows, so row positions always map to the right ids.
    """
    by, order, back, number, forward = st.columns([3, 3, 2, 2, 2], vertical_alignment="bottom")
    sort_key, descending = _sort_order(view, keys, by, order)
    column = BY_KEY[sort_key]
    header = column.header(view.units)
    if header in shown.columns:
        values = shown[header]
    else:  # Start (local) can order the table without being shown
        gear = view.session.gear_names
        alone = display_frame(view.filtered, units=view.units, keys=[sort_key], gear_names=gear)
        values = alone[header]
    positions = table_pages.sort_positions(values, column.kind, descending=descending)
    ordered = shown.iloc[positions].reset_index(drop=True)
    ids = view.filtered["id"].to_numpy()[positions]
    total = len(ordered)

    # A new order or other rows (filters, visual selection, a sync) start again at page 1.
    context = (sort_key, descending, table_pages.page_token(ids))
    part = pager("table", total, context, places=(back, number, forward))
    direction = table_pages.direction_words(sort_key, descending=descending)
    st.caption(f"{table_pages.caption(part, header, direction)} · {part.position}")

    page_ids = [int(i) for i in ids[part.start : part.stop]]
    kept = [int(i) for i in st.session_state.get(state.SELECTED_IDS) or []]
    chosen = _grid(view, keys, ordered.iloc[part.start : part.stop], page_ids)
    visible = set(view.filtered["id"].tolist())
    selected = table_pages.merge_selection(kept, page_ids, chosen, visible)
    st.session_state[state.SELECTED_IDS] = selected
    if selected:
        text, clear = st.columns([4, 1], vertical_alignment="center")
        text.caption(
            f"{len(selected):,} selected ({len(chosen):,} on this page), kept while you turn "
            "pages and browse."
        )
        clear.button(
            "Untick all",
            key="table_clear_selection",
            icon=":material/deselect:",
            on_click=_clear_selection,
            use_container_width=True,
        )
    return ordered


def download_buttons(view: FilteredView, shown: pd.DataFrame) -> None:
    """CSV, Excel and raw JSON of exactly the rows and columns shown; one click each.

    The bytes are built only when a button is pressed (deferred ``data=`` callables), so
    moving a filter never pays for an Excel file nobody asked for. A press must not rerun
    the page (``on_click="ignore"``): a rerun drops the deferred files of the previous run,
    racing the browser's fetch of the one just asked for.
    """
    stamp = datetime.now(UTC)
    name = view.session.display_name
    ids = view.filtered["id"].tolist()
    session = view.session
    about = {
        "Athlete": view.session.display_name,
        "Source": SOURCES[view.session.source],
        "Exported at (UTC)": f"{stamp:%Y-%m-%d %H:%M:%S}",
        "Units": view.units,
        "Rows": str(len(shown)),
        **{f"Filter: {k}": v for k, v in view.spec.describe().items()},
        **{
            f"Visual filter: {CHART_TITLES[s.chart]}": s.describe(view.units)
            for s in view.selections
        },
        "Attribution": "Powered by Strava",
    }
    summary_source = view.filtered
    units = view.units
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Download CSV",
        data=lambda: export.to_csv(shown),
        file_name=download_name("activities", name, stamp.date(), "csv"),
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
        icon=":material/download:",
        use_container_width=True,
    )
    c2.download_button(
        "Download Excel",
        data=lambda: export.to_xlsx(
            shown,
            summary=export.monthly_summary(summary_source, units),
            about=about,
            link_column=LINK_HEADER,
        ),
        file_name=download_name("activities", name, stamp.date(), "xlsx"),
        mime=XLSX_MIME,
        key="download_xlsx",
        on_click="ignore",
        icon=":material/table:",
        use_container_width=True,
    )
    c3.download_button(
        "Download raw JSON",
        data=lambda: export.to_json(session.records_for(ids)),
        file_name=download_name("activities", name, stamp.date(), "json"),
        mime="application/json",
        key="download_json",
        on_click="ignore",
        icon=":material/data_object:",
        use_container_width=True,
    )
