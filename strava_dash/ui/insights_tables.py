"""What every Insights section shares: today's date and "As a table" with its CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

import pandas as pd
import streamlit as st

from strava_dash import table_pages
from strava_dash.export import download_name
from strava_dash.insights.tables import safe_csv
from strava_dash.ui.pager import pager
from strava_dash.ui.views import FilteredView

#: Rows of an "As a table" sent at a time: 55 years of days were 20,000 rows (1.2 MB,
#: sent even with the expander closed).
TABLE_PAGE: Final = 1_000


def today() -> date:
    """The day the sections count to (UTC, as the sidebar's date presets)."""
    return datetime.now(UTC).date()


def numbers(table: pd.DataFrame, *, key: str, kind: str, view: FilteredView) -> None:
    """ "As a table" and the CSV of exactly these numbers, built when pressed (a press
    does not rerun the page, which would drop the file being fetched)."""
    with st.expander("As a table"):
        shown = table
        if table_pages.needs_pages(len(table), TABLE_PAGE):
            # A new table (other filters, settings) starts again at page 1.
            context = (len(table), tuple(table.columns), str(table.iloc[0].tolist()))
            part = pager(key, len(table), context, size=TABLE_PAGE)
            st.caption(f"{part.rows} · {part.position} · the CSV holds all {part.total:,}")
            shown = table.iloc[part.start : part.stop]
        st.dataframe(shown, hide_index=True, key=f"{key}_table")
        st.download_button(
            "Download CSV",
            data=lambda: safe_csv(table),
            file_name=download_name(kind, view.session.display_name, today(), "csv"),
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
        )
