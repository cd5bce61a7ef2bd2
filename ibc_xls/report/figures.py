"""The title sheet's key figures that the forms declare (``[[figures]]``), and how each can be
counted again from the report's own tables (``FigureCheck``, for ``ibc-xls rollup``); pure
pandas, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ibc_xls.forms.spec import FormSpec
from ibc_xls.forms.summaries import Figure
from ibc_xls.normalize import YE, YO
from ibc_xls.report.analyses import OVERDUE, RANK, TOTAL, Shown, plain, where
from ibc_xls.report.roadmap import Measure


def _people(spec: FormSpec, frame: pd.DataFrame) -> int:
    """How many different people (name, and class where the form has one) a frame names,
    case and ё aside."""
    names = frame[spec.role("person").key].astype(str).str.casefold() \
        .str.replace(YO, YE, regex=False).tolist()
    if not spec.has_role("class"):
        return len(set(names))
    classes = frame[spec.role("class").key].astype(str).tolist()
    return len(set(zip(names, classes, strict=True)))


def figure(spec: FormSpec, declared: Figure, frame: pd.DataFrame,
           shown: list[Shown]) -> tuple[object, int] | None:
    """A key figure of the counted rows (or of the form's summaries) and the number its note
    names as ``{count}``; None when there is nothing to show (no ranking yet)."""
    frame = where(spec, frame, declared.where)
    if declared.count == "rows":
        return len(frame), len(frame)
    if declared.count == "people":
        return _people(spec, frame), len(frame)
    if declared.count == "sum":
        key = spec.role(declared.of).key
        total = pd.to_numeric(frame[key], errors="coerce").sum() if len(frame) else 0
        return plain(total), len(frame)
    if declared.count == "best":
        table = next(s.table.frame for s in shown if s.summary.kind == "ranking")
        if not len(table):
            return None
        best = table.loc[table[RANK] == 1, table.columns[1]]
        return ", ".join(map(str, best)), len(table)
    if declared.count == "covered":
        found = next(s for s in shown if s.summary.kind == "coverage")
        table, column = found.table.frame, spec.role(found.summary.of)
        plan = table[~table[column.title].isin(column.meaning("other"))] if len(table) else table
        return int((plan[found.summary.count_title] > 0).sum()), len(plan)
    raise ValueError(f"not a figure of counted rows: {declared.count}")


# What a figure of the roadmap's measures counts: all of them, or those with the flag.
PROGRESS_COUNTS = {"measures": None, "done": Measure.DONE, "due": Measure.IN_FORCE,
                   "overdue": Measure.OVERDUE}


def progress_figure(declared: Figure, measures: pd.DataFrame | None) -> tuple[int, int]:
    """A key figure of the roadmap's measures (``report.roadmap.measures``; None when the form
    has no progress summary) and their number."""
    if measures is None:
        return 0, 0
    flag = PROGRESS_COUNTS[declared.count]
    counted = len(measures) if flag is None else sum(bool(v) for v in measures[flag])
    return counted, len(measures)


@dataclass(frozen=True)
class FigureCheck:
    """How a key figure can be counted again from the report's own tables, so that a summary
    of many schools' reports can tell a figure edited by hand from one the report computed.

    ``count`` "rows", "people" or "sum": from the counted rows of the form's raw data table,
    those whose ``where`` column holds one of the values: their number, the different people
    in ``column`` (with ``class_column``), or the sum of ``column``. ``count`` "total": the
    total row's ``column`` of the summary table ``table``."""

    label: str
    form: str
    count: str
    column: str = ""
    class_column: str = ""
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    table: str = ""


# A progress figure and the column of the summary by stage whose total must equal it.
PROGRESS_TOTALS = {"measures": TOTAL, "overdue": OVERDUE}


def figure_check(spec: FormSpec, declared: Figure) -> FigureCheck | None:
    """How ``declared`` can be counted again from the report's tables (None: it cannot)."""
    where = tuple((spec.role(role).title, spec.role(role).meaning(meaning))
                  for role, meaning in declared.where)
    if declared.count == "rows":
        return FigureCheck(declared.label, spec.id, "rows", where=where)
    if declared.count == "people":
        school_class = spec.role("class").title if spec.has_role("class") else ""
        return FigureCheck(declared.label, spec.id, "people", spec.role("person").title,
                           school_class, where)
    if declared.count == "sum":
        return FigureCheck(declared.label, spec.id, "sum", spec.role(declared.of).title,
                           where=where)
    by_stage = [s.table for s in spec.summaries if s.kind == "progress" and s.by]
    if declared.count in PROGRESS_TOTALS and by_stage:
        return FigureCheck(declared.label, spec.id, "total", PROGRESS_TOTALS[declared.count],
                           table=by_stage[0])
    return None
