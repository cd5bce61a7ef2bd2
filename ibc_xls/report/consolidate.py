"""Checked workbooks → every table and figure of the consolidated report (pandas; no I/O).

The report writer (``ibc_xls.report.workbook``) computes nothing: what it shows is decided here
and in the modules this one runs: which rows count (``report.rows``), the roadmap's measures and
the overdue rule (``report.roadmap``), the summaries and key figures the forms declare
(``report.analyses``, ``report.figures``), and the tables of what was handed in and read
(``report.tables``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ibc_xls import __version__
from ibc_xls.checking.check import gc_paused
from ibc_xls.checking.results import STATUS_TEXT, FileResult, Report
from ibc_xls.forms.spec import FormSpec
from ibc_xls.forms.summaries import PROBLEMS_SHEET, Summary
from ibc_xls.report import tables
from ibc_xls.report.analyses import KINDS, NO, TOTAL, YES, Shown
from ibc_xls.report.figures import (
    PROGRESS_COUNTS,
    FigureCheck,
    figure,
    figure_check,
    progress_figure,
)
from ibc_xls.report.roadmap import measures as roadmap_measures
from ibc_xls.report.rows import Rows, counted_frame, read_rows, taken_files
from ibc_xls.report.tables import COUNTED, STATUS_NOT_SENT, FormData
from ibc_xls.settings.config import Config
from ibc_xls.settings.periods import Period, academic_year_end
from ibc_xls.settings.respondents import respondents
from ibc_xls.sheets.sheet import Table
from ibc_xls.text import Consolidated as C

__all__ = ["COUNTED", "NO", "PROBLEMS_SHEET", "STATUS_NOT_SENT", "TOTAL", "YES", "Consolidated",
           "FormData", "Shown", "Table", "consolidate"]


@dataclass
class Consolidated:
    """Everything the report workbook shows, already computed."""

    school: str
    full_name: str
    municipality: str
    year_label: str
    period: Period
    as_of: dt.date  # the reporting date: every judgement on dates is made as of it
    academic_year: tuple[dt.date, dt.date]  # its first and last day
    generator: str
    figures: Table  # Показатель, Значение, Пояснение
    summaries: list[Shown]  # every summary the forms declare, in the forms' order
    submissions: Table
    problems: Table
    sources: Table  # every file read
    source_rows: Table  # rows read and counted per file and form
    reconciliation: Table
    data: dict[str, FormData]  # form id → every row read, in spec order
    # How the declared key figures can be counted again from the report's tables (for the
    # education office's summary, which flags a report whose figures were edited by hand).
    checks: tuple[FigureCheck, ...] = ()

    def summary(self, table: str) -> Table:
        """A declared summary's table by its Excel table name."""
        return next(s.table for s in self.summaries if s.summary.table == table)


def consolidate(report: Report, config: Config, specs: list[FormSpec], period: Period,
                as_of: dt.date, release: bool = False) -> Consolidated:
    """Turn the checked files into the report's tables as of the reporting date ``as_of``:
    which rows count is said in ``report.rows``, when a measure is overdue in
    ``report.roadmap``. With ``release``, each form's records are let go
    (``Report.release_rows``) once its raw data table holds them: a big collect needs the
    memory."""
    with gc_paused():
        return _consolidate(report, config, specs, period, as_of, release)


def _consolidate(report: Report, config: Config, specs: list[FormSpec], period: Period,
                 as_of: dt.date, release: bool) -> Consolidated:
    by_id = {s.id: s for s in specs}
    files = sorted(report.files, key=lambda f: f.file)
    taken = taken_files(files)
    year = (dt.date(config.academic_year, 9, 1), academic_year_end(config.academic_year))
    # Formatting a message costs microseconds: once per problem, for every table that shows it.
    messages = {id(p): p.message for f in files for p in f.problems}
    rows = read_rows(files, by_id, taken, period.start, min(period.end, as_of), messages)
    summaries, declared, checks = _declared(specs, rows, period, as_of, year)
    counts = {f.file: (f.errors, f.warnings) for f in files}
    submissions = tables.submissions(files, taken, rows, config, specs, counts, messages)
    parts = dict(
        summaries=summaries,
        submissions=submissions,
        problems=tables.problems(files, by_id, messages),
        sources=tables.sources(files, submissions),
        source_rows=tables.source_rows(files, specs, rows),
        reconciliation=tables.reconciliation(specs, rows),
    )
    figures = _figures(declared, files, submissions,
                       {p.id for p in respondents(config, specs)}, counts)
    # The raw data tables last, the smallest form first, each form's rows let go once its
    # table holds them: the largest table is built when the others' rows are gone.
    data = {}
    for spec in sorted(specs, key=lambda s: len(rows.get(s.id, ()))):
        data[spec.id] = tables.form_data(spec, rows.pop(spec.id, None) or Rows())
        if release:
            report.release_rows(spec.id)
    return Consolidated(
        school=config.school, full_name=config.full_name, municipality=config.municipality,
        year_label=config.year_label, period=period, as_of=as_of, academic_year=year,
        generator=f"ibc-xls {__version__}", figures=figures,
        data={s.id: data[s.id] for s in specs}, checks=tuple(checks),
        **parts)


# --- the declared summaries and key figures ------------------------------------------------

def _declared(specs: list[FormSpec], rows: dict[str, Rows], period: Period,
              as_of: dt.date, year: tuple[dt.date, dt.date],
              ) -> tuple[list[Shown], list[tuple[str, object, str]], list[FigureCheck]]:
    """Every summary and key figure the forms declare, in the forms' order. A form's counted
    rows are made into a frame once for all of its summaries and figures, and let go before
    the next form's (all of them at once would hold every value of a big collect again)."""
    shown: list[Shown] = []
    figures: list[tuple[str, object, str]] = []
    checks: list[FigureCheck] = []
    for spec in specs:
        if not spec.summaries and not spec.figures:
            continue
        form_rows = rows.get(spec.id) or Rows()
        frame = counted_frame(spec, form_rows.counted())
        mine: list[Shown] = []
        measures = None
        for summary in spec.summaries:
            if summary.kind == "progress":
                if measures is None:
                    measures = roadmap_measures(spec, form_rows, as_of, year)
                result = KINDS[summary.kind](spec, summary, measures)
            else:
                result = KINDS[summary.kind](spec, summary, frame)
            result.notes = tuple(_filled(note, period, as_of, year, summary)
                                 for note in summary.note)
            mine.append(result)
        for declared in spec.figures:
            if declared.count in PROGRESS_COUNTS:
                value = progress_figure(declared, measures)
            else:
                value = figure(spec, declared, frame, mine)
            if value is not None:
                figures.append((declared.label, value[0],
                                declared.note.replace("{count}", str(value[1]))))
                if (check := figure_check(spec, declared)) is not None:
                    checks.append(check)
        shown += mine
    return shown, figures, checks


def _filled(text: str, period: Period, as_of: dt.date, year: tuple[dt.date, dt.date],
            summary: Summary) -> str:
    """A summary's note with its placeholders filled (``ibc_xls.forms.summaries.NOTE_FIELDS``)."""
    for name, value in (("period", period.text), ("as_of", f"{as_of:%d.%m.%Y}"),
                        ("year_start", f"{year[0]:%d.%m.%Y}"),
                        ("year_end", f"{year[1]:%d.%m.%Y}"), ("top", str(summary.top))):
        text = text.replace(f"{{{name}}}", value)
    return text


def _figures(declared: list[tuple[str, object, str]], files: list[FileResult],
             submissions: Table, expected: set[str],
             counts: dict[str, tuple[int, int]]) -> Table:
    """The title sheet's key figures: (Показатель, Значение, Пояснение): those the forms
    declare, then the submissions'."""
    rows = list(declared)
    status = submissions.frame[C.STATUS]
    # Books and respondents are counted apart: one respondent may send a corrected copy.
    sent = {f.identity.get("respondent_id") for f in files if f.forms} & expected
    rows += [
        (C.BOOKS_RECEIVED, len(files),
         C.BOOKS_FROM.format(sent=len(sent), expected=len(expected))),
        (C.NOT_SENT_FIGURE, len(expected - sent), C.OUT_OF.format(expected=len(expected))),
        (C.BOOKS_WITH_ERRORS, int(status.eq(STATUS_TEXT["errors"]).sum()), C.ROWS_NOT_COUNTED),
        (C.BOOKS_REFUSED, int(status.eq(STATUS_TEXT["refused"]).sum()), ""),
        (C.BOOKS_REPLACED, int(status.eq(tables.STATUS_SUPERSEDED).sum()), C.REPLACED_EXPLAINED),
        (C.ERRORS, sum(e for e, _ in counts.values()), C.ERRORS_SEE.format(sheet=PROBLEMS_SHEET)),
        (C.WARNINGS, sum(w for _, w in counts.values()), ""),
    ]
    frame = pd.DataFrame(rows, columns=[C.FIGURE, C.VALUE, C.EXPLANATION], dtype=object)
    return Table(frame, widths={C.FIGURE: 46, C.VALUE: 14, C.EXPLANATION: 40})
