"""What every Insights section shares: today's date and "As a table" with its CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from strava_dash.export import download_name
from strava_dash.insights.tables import safe_csv
from strava_dash.ui.views import FilteredView


def today() -> date:
    """The day the sections count to (UTC, as the sidebar's date presets)."""
    return datetime.now(UTC).date()


def numbers(table: pd.DataFrame, *, key: str, kind: str, view: FilteredView) -> None:
    """ "As a table" and the CSV of exactly these numbers, built when pressed (a press
    does not rerun the page, which would drop the file being fetched)."""
    with st.expander("As a table"):
        st.dataframe(table, hide_index=True, key=f"{key}_table")
        st.download_button(
            "Download CSV",
            data=lambda: safe_csv(table),
            file_name=download_name(kind, view.session.display_name, today(), "csv"),
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
        )
