"""Training insights from the activity table: load and form, goals, gear, the year ahead.

Pure pandas/NumPy (no Streamlit): :mod:`load` (training load, CTL/ATL/TSB), :mod:`goals`
(goal windows, progress, the JSON file), :mod:`gear` (totals, service intervals),
:mod:`projection` (the year to date and where it is heading), :mod:`tables` (CSV bytes
of their numbers, with text defused for spreadsheets).
"""
