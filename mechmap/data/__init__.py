"""Site data bound to a map: the step between data files and estimates.

- :func:`read_tables`: CSV, Parquet, and SQL through DuckDB (:mod:`~mechmap.data.tables`);
- :func:`load_measures`: a measures file, checked against the map (the same block can sit in
  the map under ``measures:``; docs/map-format.md describes it);
- :func:`bind`: the map's variables as one checked matrix, a row per site or per respondent,
  with respondents aggregated to sites where needed (:mod:`~mechmap.data.binding`) and their
  agreement reported as ICC(1) and ICC(2) (:mod:`~mechmap.data.icc`).

Nothing here is imported by ``import mechmap`` or by loading a map; pandas, pyarrow and
duckdb are imported only when a table is read.
"""

from mechmap.data.binding import Aggregation, AnalysisData, Dropped, bind
from mechmap.data.icc import ICC, icc
from mechmap.data.measures import Binding, bindable_variables, resolve
from mechmap.data.tables import DataError, Table, read_tables
from mechmap.mapfile.loader import load_measures

__all__ = [
    "ICC",
    "Aggregation",
    "AnalysisData",
    "Binding",
    "DataError",
    "Dropped",
    "Table",
    "bind",
    "bindable_variables",
    "icc",
    "load_measures",
    "read_tables",
    "resolve",
]
