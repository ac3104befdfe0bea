"""CSV bytes of the Insights tables, safe to open in a spreadsheet.

:func:`strava_dash.export.to_csv` keeps text exactly (its round trip is tested), so it
leaves ``=SUM(...)`` as it is. These tables are made to be opened in a spreadsheet, and
gear names or goal labels are typed by people: text that a spreadsheet would run as a
formula (starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading
apostrophe, the OWASP advice. Numbers stay numbers.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from strava_dash.export import to_csv

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> bytes:
    """:func:`strava_dash.export.to_csv` of ``df`` with every text cell defused."""
    out = df.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out[name] = column.astype(object).map(defuse)
    return to_csv(out)
