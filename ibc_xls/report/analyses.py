"""The report's summaries, computed as the forms declare them (``ibc_xls.forms.summaries``): one
generic function per kind, pure pandas, no I/O.

Each function takes a form's spec, one of its summary declarations and the form's counted rows
(a frame keyed by column key) and returns a ``Shown``: the table, headed by the spec's titles,
and what its chart shows. Columns are found by role and choice values by meaning; nothing here
knows a form, a column key or a choice value. The roadmap's progress takes the roadmap's
measures instead (``ibc_xls.report.roadmap``: worked out from the rows read, not only the
counted ones, by the overdue rule). The key figures are in ``ibc_xls.report.figures``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ibc_xls.forms.spec import FormSpec
from ibc_xls.forms.summaries import Summary
from ibc_xls.report.roadmap import NO_INFO, Measure
from ibc_xls.sheets.sheet import Table
from ibc_xls.text import Consolidated as C
from ibc_xls.text import Report

# Headers of computed columns; the report finds its highlights and charts by them.
YES, NO = Report.YES, Report.NO
TOTAL = Report.TOTAL
TOTAL_LABEL = Report.TOTAL_LABEL
RANK = Report.RANK
AVERAGE = Report.AVERAGE
SCORE_SUM = Report.SCORE_SUM
BAND = Report.BAND
DATES = Report.DATES
COVERED = Report.COVERED
OVERDUE = Report.OVERDUE
DUE_DATE = C.DUE_DATE
NOTES = C.NOTES


@dataclass
class Shown:
    """A declared summary, computed: its notes with the placeholders filled, its table, and
    what its charts show (one chart per group of rows: title, first row, number of rows)."""

    summary: Summary
    table: Table
    notes: tuple[str, ...] = ()
    series: tuple[str, ...] = ()  # headers of the charted values
    category: int = 0  # the column that names a chart's bars
    groups: tuple[tuple[str, int, int], ...] = ()
    per_chart: int = 0  # the most bars one chart of several groups may show
    marked: list[bool] | None = None  # rows to highlight
    streamed: bool = False  # a table that grows with the returns, written as the large ones


def charts(summary: Summary, rows: int) -> tuple[tuple[str, int, int], ...]:
    """One chart over the first rows of a table (all, or as many as the chart's ``top``)."""
    if summary.chart is None or not rows:
        return ()
    shown = min(rows, summary.chart.top) if summary.chart.top else rows
    return ((summary.chart.title.replace("{shown}", str(shown)), 0, shown),)


def titled(spec: FormSpec, frame: pd.DataFrame) -> Table:
    """A frame keyed by column key, with the spec's titles and widths."""
    titles = {c.key: c.title for c in spec.columns}
    widths = {c.title: c.width or 14 for c in spec.columns}
    return Table(frame.rename(columns=titles).reset_index(drop=True), widths=widths)


def plain(number) -> int | float:
    number = float(number)
    return int(number) if number.is_integer() else number


def where(spec: FormSpec, frame: pd.DataFrame, pairs: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """The rows whose value of each role is one of the choices of its meaning."""
    for role, meaning in pairs:
        column = spec.role(role)
        frame = frame[frame[column.key].isin(column.meaning(meaning))]
    return frame


def rank(frame: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.Series:
    """Competition ranking (1, 1, 3) on several keys: rows equal on every key share a place."""
    ordered = frame.sort_values(by, ascending=ascending, kind="stable", na_position="last")
    keys = ordered[by]
    new = keys.ne(keys.shift()).any(axis=1)
    positions = pd.Series(np.arange(1, len(ordered) + 1), index=ordered.index)
    places = positions.where(new).ffill().astype("int64")
    return places.reindex(frame.index)


# --- the kinds -----------------------------------------------------------------------------

def crosstab(spec: FormSpec, summary: Summary, frame: pd.DataFrame) -> Shown:
    """Counts of rows by two choice roles, in the order of their choices, with totals."""
    rows_col, cols_col = spec.role(summary.rows), spec.role(summary.columns)
    table = pd.crosstab(frame[rows_col.key], frame[cols_col.key]) if len(frame) \
        else pd.DataFrame()
    table = table.reindex(index=list(rows_col.choices), columns=list(cols_col.choices),
                          fill_value=0)
    table[TOTAL] = table.sum(axis=1)
    table.index.name = rows_col.title
    table.columns.name = None
    table = table.reset_index().astype({c: "int64" for c in [*cols_col.choices, TOTAL]})
    total = {rows_col.title: TOTAL_LABEL, **{c: int(table[c].sum()) for c in table.columns[1:]}}
    result = Table(table, total=total, widths={rows_col.title: 18})
    return Shown(summary, result, series=cols_col.choices,
                 groups=charts(summary, result.rows))


def listing(spec: FormSpec, summary: Summary, frame: pd.DataFrame) -> Shown:
    """The rows (those of a meaning, if declared) in the declared order: a choice role orders
    as its choices are listed, "-" before a role reverses it; a total of a role if declared."""
    frame = where(spec, frame, summary.where)
    if summary.order and len(frame):
        keys, ascending = {}, []
        for i, item in enumerate(summary.order):
            column = spec.role(item.removeprefix("-"))
            values = frame[column.key]
            if column.type == "choice":
                values = values.map({v: j for j, v in enumerate(column.choices)})
            keys[f"_order{i}"] = values  # keys start with a letter: no clash
            ascending.append(not item.startswith("-"))
        frame = frame.assign(**keys).sort_values(list(keys), ascending=ascending,
                                                 kind="stable").drop(columns=list(keys))
    table = titled(spec, frame)
    if summary.total:
        title = spec.role(summary.total).title
        total = pd.to_numeric(table.frame[title], errors="coerce").sum() if table.rows else 0
        table.total = {table.frame.columns[0]: TOTAL_LABEL, title: plain(total)}
    return Shown(summary, table, streamed=True)


def ranking(spec: FormSpec, summary: Summary, frame: pd.DataFrame) -> Shown:
    """Groups of a role ranked by the mean of their rows' mean score (more is better), then by
    the declared ratio of two sums (fewer is better)."""
    scores = [c.key for c in spec.roles("score")]
    by = spec.role(summary.by)
    totals = [spec.role(r).key for r in summary.totals]
    ratio = [spec.role(r).key for r in summary.ratio]
    numeric = list(dict.fromkeys([*scores, *totals, *ratio]))
    data = pd.DataFrame({k: pd.to_numeric(frame[k], errors="coerce").astype("float64")
                         for k in numeric})
    data[by.key] = frame[by.key]
    if ratio:
        data[ratio[0]] = data[ratio[0]].fillna(0)  # nothing written: nothing lost
    data["_score"] = data[scores].mean(axis=1)
    grouped = data.groupby(by.key, sort=True)
    table = pd.DataFrame({
        "_rows": grouped.size(),
        # Rounded, so that groups equal on paper tie however the sums were added up.
        AVERAGE: grouped["_score"].mean().round(6),
        **{k: grouped[k].mean() for k in scores},
        **{k: grouped[k].sum() for k in totals},
    })
    order, ascending = [AVERAGE], [False]
    if ratio:
        numerator, denominator = grouped[ratio[0]].sum(), grouped[ratio[1]].sum()
        table["_ratio"] = summary.per * numerator / denominator.where(denominator > 0)
        order, ascending = [AVERAGE, "_ratio"], [False, True]
    table = table.reset_index()
    table.insert(0, RANK, rank(table, order, ascending))
    table = table.sort_values([RANK, by.key], kind="stable").reset_index(drop=True)
    names = {by.key: by.title, "_rows": summary.count_title, "_ratio": summary.ratio_title,
             **{k: Report.COLUMN_TOTAL.format(title=spec.column(k).title) for k in totals},
             **{k: spec.column(k).title for k in scores}}
    table = table.rename(columns=names).astype({RANK: "int64", summary.count_title: "int64"})
    widths = {by.title: 9, AVERAGE: 11} | ({summary.ratio_title: 16} if ratio else {})
    result = Table(table, widths=widths)
    return Shown(summary, result, series=(AVERAGE,), category=1,
                 groups=charts(summary, result.rows))


def band_of(class_name: str, bands: tuple[tuple[str, int, int], ...]) -> str | None:
    """The grade band of a class («5Б» → the band whose grades hold 5), None if none does."""
    match = re.match(r"\d+", class_name or "")
    if not match:
        return None
    grade = int(match[0])
    return next((name for name, lo, hi in bands if lo <= grade <= hi), None)


def top_per_band(spec: FormSpec, summary: Summary, frame: pd.DataFrame) -> Shown:
    """The best rows of each grade band: the sum of the scores (more is better), then the
    tie-break role (more is better); the first ``top`` places of each band."""
    scores = [c.key for c in spec.roles("score")]
    person, school_class = spec.role("person").key, spec.role("class").key
    then = [spec.role(summary.then).key] if summary.then else []
    # Ranked on a narrow frame of numbers; only the winners' rows are copied whole (every
    # row of a big collect would otherwise be copied several times).
    numbers = pd.DataFrame({k: pd.to_numeric(frame[k], errors="coerce")
                            for k in [*scores, *then]})
    bands = {c: band_of(c, summary.bands) for c in frame[school_class].unique()}
    keys = pd.DataFrame({SCORE_SUM: numbers[scores].sum(axis=1, min_count=1),
                         **{k: numbers[k] for k in then}, person: frame[person],
                         BAND: frame[school_class].map(bands)})
    parts = []
    for band, _, _ in summary.bands:
        part = keys[keys[BAND] == band].copy()
        part[RANK] = rank(part, [SCORE_SUM, *then], [False] * (1 + len(then)))
        part = part[part[RANK] <= summary.top]
        parts.append(part.sort_values([RANK, person], kind="stable"))
    chosen = pd.concat(parts)
    hidden = {spec.role(r).key for r in summary.omit}
    rest = [c.key for c in spec.columns
            if c.key not in {person, school_class, *then, *scores} | hidden]
    top = frame.loc[chosen.index, [school_class, *rest]].assign(
        **{BAND: chosen[BAND], RANK: chosen[RANK], person: chosen[person],
           SCORE_SUM: chosen[SCORE_SUM]}, **{k: numbers.loc[chosen.index, k]
                                              for k in [*then, *scores]})
    columns = [BAND, RANK, person, school_class, SCORE_SUM, *then, *scores, *rest]
    top = top[columns].reset_index(drop=True)
    top = top.rename(columns={c.key: c.title for c in spec.columns}).astype({RANK: "int64"})
    widths = {BAND: 13, RANK: 8, SCORE_SUM: 10} | {c.title: c.width or 12 for c in spec.columns}
    groups = []
    if summary.chart is not None:
        runs = top[BAND].ne(top[BAND].shift()).cumsum()
        for _, run in top.groupby(runs, sort=False):
            groups.append((summary.chart.title or run[BAND].iloc[0], int(run.index[0]),
                           len(run)))
    return Shown(summary, Table(top, widths=widths), series=(SCORE_SUM,), category=2,
                 groups=tuple(groups), per_chart=summary.top)


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def coverage(spec: FormSpec, summary: Summary, frame: pd.DataFrame) -> Shown:
    """Each choice of a role: on how many distinct dates rows have it, and which. Rows on one
    date and choice are one event (a meeting), however many people wrote it down."""
    of, date = spec.role(summary.of), spec.role("date")
    header = [of.title, summary.count_title, DATES, COVERED]
    data = []
    for choice in of.choices:
        days = sorted({d for d in frame.loc[frame[of.key] == choice, date.key] if d is not None})
        data.append([choice, len(days), ", ".join(_d(d) for d in days), YES if days else NO])
    table = pd.DataFrame(data, columns=header).astype({summary.count_title: "int64"})
    total = {of.title: TOTAL_LABEL, summary.count_title: int(table[summary.count_title].sum())}
    widths = {of.title: 44, summary.count_title: 9, DATES: 30, COVERED: 10}
    return Shown(summary, Table(table, total=total, widths=widths))


def progress(spec: FormSpec, summary: Summary, frame: pd.DataFrame) -> Shown:
    """A roadmap's progress, from its measures as of the reporting date (``frame``, made by
    ``report.roadmap.measures`` from the rows read, not only the counted ones): every measure
    part with the prefilled roles in ``show`` and every input column, or, with ``by``, how many
    parts of each value of that role have each status and how many are overdue."""
    if summary.by:
        table = _progress_by(spec, summary.by, frame)
        series = tuple(table.frame.columns[1:-2])
        return Shown(summary, table, series=series, groups=charts(summary, table.rows))
    shown = [spec.role(role) for role in summary.show]
    inputs = list(spec.input_columns)
    header = [c.title for c in shown] + [DUE_DATE] + [c.title for c in inputs] + [OVERDUE, NOTES]
    keys = [c.key for c in shown] + [Measure.DUE] + [c.key for c in inputs] \
        + [Measure.OVERDUE, Measure.NOTES]
    data = [[*row[:-2], YES if row[-2] else NO, row[-1]]
            for row in frame[keys].itertuples(index=False, name=None)]
    widths = {c.title: c.width or 14 for c in shown + inputs}
    widths |= {DUE_DATE: 12, OVERDUE: 12, NOTES: 30}
    table = Table(pd.DataFrame(data, columns=header, dtype=object), widths=widths)
    marked = list(table.frame[OVERDUE].eq(YES)) if table.rows else []
    return Shown(summary, table, marked=marked)


def _progress_by(spec: FormSpec, by: str, frame: pd.DataFrame) -> Table:
    """How many measure parts of each value of a prefilled role (the stage) have each status,
    and how many are overdue."""
    group = spec.role(by)
    header = [group.title, *spec.role("status").choices, NO_INFO, TOTAL, OVERDUE]
    values = frame[group.key].tolist()
    statuses, late = frame[Measure.STATUS].tolist(), frame[Measure.OVERDUE].tolist()
    data = []
    for value in dict.fromkeys(values):
        mine = [i for i, v in enumerate(values) if v == value]
        counts = [sum(statuses[i] == s for i in mine) for s in header[1:-2]]
        data.append([value, *counts, len(mine), sum(bool(late[i]) for i in mine)])
    table = pd.DataFrame(data, columns=header).astype({h: "int64" for h in header[1:]})
    total = {group.title: TOTAL_LABEL, **{h: int(table[h].sum()) for h in header[1:]}}
    return Table(table, total=total, widths={group.title: 30})


KINDS: dict[str, Callable[[FormSpec, Summary, pd.DataFrame], Shown]] = {
    "progress": progress, "crosstab": crosstab, "listing": listing, "ranking": ranking,
    "top_per_band": top_per_band, "coverage": coverage,
}
