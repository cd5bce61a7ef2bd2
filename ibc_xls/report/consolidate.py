"""Checked workbooks → every table and figure of the consolidated report (pandas; no I/O).

The report writer (``ibc_xls.report.workbook``) computes nothing: what it shows is decided here.

Which rows count
----------------
A row read from a returned workbook is *counted* in the report's figures when all hold:

1. its workbook is taken: it was read (not refused), it is not of another school or academic
   year (``wrong-school``, ``wrong-year``), and it is not replaced (``workbook-replaced``: when
   a respondent handed in several, the last saved one is used, see ``validate.check_across``);
2. the row has no error: its record is ok and no error points at a cell of its row (such as an
   entry repeated in another workbook, unless that workbook is not taken);
3. it lies in the report's period, up to the reporting date (``as_of``) if that is earlier.
   For a free-row form with date columns, the row's latest date decides (a course counts when
   it ends). The roadmap (a fixed-row form) reports statuses as of the reporting date and is
   not filtered; a form without dates (reader's diaries) counts for the whole academic year.

Nothing read disappears: every row is in the raw data tables with whether it was counted and
why not, and the reconciliation shows, per form, read = counted + with errors + outside the
period + in workbooks not taken.

Overdue roadmap measures
------------------------
The spec's ``deadline`` text gives control dates: "31.05.2024" (once), "ежегодно 31.05" or
"ежегодно 30.04 и 31.10" (every year). The blanks belong to one academic year (1 September –
31 August); a yearly deadline means that day inside it (both days for "30.04 и 31.10"). A
measure is *done* when its status is «Выполнено» in a row without errors with a completion date
on or before the reporting date, inside the academic year for a yearly measure (done late
still counts as done). A measure is overdue when one of its control dates (a once date, or a
yearly one inside the academic year) is on or before the reporting date and it is not done,
unless it is «В работе» towards a control date of the academic year still to come: a measure
on track for a deadline still to come is never overdue.

Submissions
-----------
Each expected respondent (``respondents(config, specs)``) gets a row per workbook handed in, or
one row «не сдан». A workbook's status: «принят» (no problems), «принят, есть замечания»
(warnings only), «есть ошибки» (its rows without errors are counted, the others are not),
«не принята» (nothing could be taken: unreadable, not a blank of ibc-xls, another version,
empty, or of another school or year), «заменена» (a later workbook of the same respondent is
counted instead; its own problems do not touch the used one).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ibc_xls import __version__
from ibc_xls.checking.check import gc_paused
from ibc_xls.checking.results import (
    STATUS_TEXT,
    FileResult,
    Record,
    Report,
    saved_order,
    value_columns,
)
from ibc_xls.forms.spec import FormSpec
from ibc_xls.forms.summaries import PROBLEMS_SHEET, Summary
from ibc_xls.problems import Problem, Severity
from ibc_xls.report.analyses import (
    KINDS,
    NO,
    OVERDUE,
    TOTAL,
    TOTAL_LABEL,
    YES,
    FigureCheck,
    Shown,
    Table,
    charts,
    figure,
    figure_check,
)
from ibc_xls.settings.config import Config
from ibc_xls.settings.periods import Period, academic_year_end
from ibc_xls.settings.respondents import ROLE_TITLES, respondents
from ibc_xls.text import Consolidated as C

__all__ = ["NO", "PROBLEMS_SHEET", "TOTAL", "YES", "Consolidated", "FormData", "Shown", "Table",
           "consolidate"]

BLOCKING = frozenset({"wrong-school", "wrong-year"})
# Meanings of the roadmap's statuses (``meanings`` of its status column) the overdue rule uses.
DONE, IN_WORK = "done", "in_work"

# Headers of computed columns; the report finds its highlights and charts by them.
DUE_DATE = C.DUE_DATE
NOTES = C.NOTES
NO_INFO = C.NO_INFO
COUNTED = C.COUNTED
WHY_NOT = C.WHY_NOT
FILE, ROW = C.FILE, C.ROW
STATUS_NOT_SENT = C.NOT_SENT
STATUS_SUPERSEDED = STATUS_TEXT["replaced"]
SEVERITY_TEXT = {Severity.ERROR: C.ERROR, Severity.WARNING: C.WARNING}

WHY_REFUSED = C.WHY_REFUSED
WHY_BLOCKED = C.WHY_BLOCKED
WHY_SUPERSEDED = C.WHY_SUPERSEDED
WHY_ERRORS = C.WHY_ERRORS
WHY_PERIOD = C.WHY_PERIOD

_ONE_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})")


@dataclass
class FormData:
    """Every row read of one form, counted or not, ready for the report's raw data sheet."""

    form_id: str
    version: int
    sheet: str
    title: str
    table: Table


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


@dataclass(slots=True)
class _Row:
    """One record read, with where it came from, the text of its problems and why it is not
    counted."""

    file: FileResult
    record: Record
    notes: str = ""
    why_not: str = ""


@dataclass
class _Rows:
    """Every record read of one form, column by column (a list for each field of ``_Row``,
    not an object a row: a big collect has hundreds of thousands of them); iterating gives
    ``_Row``s."""

    files: list[FileResult] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    why_not: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[_Row]:
        return map(_Row, self.files, self.records, self.notes, self.why_not)

    def counted(self) -> list[Record]:
        return [r for r, why in zip(self.records, self.why_not, strict=True) if not why]


def consolidate(report: Report, config: Config, specs: list[FormSpec], period: Period,
                as_of: dt.date, release: bool = False) -> Consolidated:
    """Turn the checked files into the report's tables as of the reporting date ``as_of``:
    see the module's docstring for which rows count and when a measure is overdue. With
    ``release``, each form's records are let go (``Report.release_rows``) once its raw data
    table holds them: a big collect needs the memory."""
    with gc_paused():
        return _consolidate(report, config, specs, period, as_of, release)


def _consolidate(report: Report, config: Config, specs: list[FormSpec], period: Period,
                 as_of: dt.date, release: bool) -> Consolidated:
    by_id = {s.id: s for s in specs}
    files = sorted(report.files, key=lambda f: f.file)
    taken = _taken(files)
    year = (dt.date(config.academic_year, 9, 1), academic_year_end(config.academic_year))
    # Formatting a message costs microseconds: once per problem, for every table that shows it.
    messages = {id(p): p.message for f in files for p in f.problems}
    rows = _rows(files, by_id, taken, period.start, min(period.end, as_of), messages)
    summaries, declared, checks = _declared(specs, rows, period, as_of, year)
    counts = {f.file: (f.errors, f.warnings) for f in files}
    submissions = _submissions(files, taken, rows, config, specs, counts, messages)
    parts = dict(
        summaries=summaries,
        submissions=submissions,
        problems=_problems(files, by_id, messages),
        sources=_sources(files, submissions),
        source_rows=_source_rows(files, specs, rows),
        reconciliation=_reconciliation(specs, rows),
    )
    figures = _figures(declared, files, submissions,
                       {p.id for p in respondents(config, specs)}, counts)
    # The raw data tables last, the smallest form first, each form's rows let go once its
    # table holds them: the largest table is built when the others' rows are gone.
    data = {}
    for spec in sorted(specs, key=lambda s: len(rows.get(s.id, ()))):
        data[spec.id] = _form_data(spec, rows.pop(spec.id, None) or _Rows())
        if release:
            report.release_rows(spec.id)
    return Consolidated(
        school=config.school, full_name=config.full_name, municipality=config.municipality,
        year_label=config.year_label, period=period, as_of=as_of, academic_year=year,
        generator=f"ibc-xls {__version__}", figures=figures,
        data={s.id: data[s.id] for s in specs}, checks=tuple(checks),
        **parts)


# --- which files and rows count ----------------------------------------------------------------

def _taken(files: list[FileResult]) -> dict[str, str]:
    """File name → why none of its rows count ("" when the workbook is taken)."""
    why: dict[str, str] = {}
    for f in files:
        if f.refused:
            why[f.file] = WHY_REFUSED
        elif any(p.code in BLOCKING for p in f.problems):
            why[f.file] = WHY_BLOCKED
        elif f.replaced:
            why[f.file] = WHY_SUPERSEDED
        else:
            why[f.file] = ""
    return why


def _row_problems(f: FileResult) -> dict[tuple[str, int], list[Problem]]:
    """(sheet, 1-based row) → the problems pointing at a cell of that row."""
    found: dict[tuple[str, int], list[Problem]] = defaultdict(list)
    for p in f.problems:
        if p.row is not None and p.sheet:
            found[(p.sheet, p.row + 1)].append(p)
    return found


def _blocks(p: Problem, taken: dict[str, str]) -> bool:
    """Whether a problem keeps its row out of the figures: an error, except an entry repeated
    in a workbook that is not taken (the respondent's earlier workbook, say)."""
    if p.severity is not Severity.ERROR:
        return False
    return not (p.code == "duplicate-entry" and taken.get(p.params.get("other", "")))


def _row_date(values: Record, date_keys: list[str]) -> dt.date | None:
    """The latest date of a row (None without one)."""
    if len(date_keys) == 1:
        day = values.get(date_keys[0])
        return day if isinstance(day, dt.date) else None
    days = [d for d in map(values.get, date_keys) if isinstance(d, dt.date)]
    return max(days) if days else None


def _rows(files: list[FileResult], specs: dict[str, FormSpec], taken: dict[str, str],
          first: dt.date, last: dt.date, messages: dict[int, str]) -> dict[str, _Rows]:
    """Every record of every file by form id, each with its problems and why it is not counted
    (a dated row counts from ``first`` to ``last``)."""
    rows: dict[str, _Rows] = defaultdict(_Rows)
    none: list[Problem] = []
    for f in files:
        by_row = _row_problems(f)
        excluded = taken[f.file]
        for form_id, form in f.forms.items():
            spec = specs.get(form_id)
            date_keys = [] if spec is None or spec.rows == "fixed" else \
                [c.key for c in spec.columns if c.type == "date"]
            found = rows[form_id]
            files, records, notes, why_not = \
                found.files, found.records, found.notes, found.why_not
            for record in form.records:
                problems = by_row.get((form.sheet, record.row), none) if by_row else none
                why = excluded
                if not why:
                    if not record.ok or (problems and any(_blocks(p, taken)
                                                          for p in problems)):
                        why = WHY_ERRORS
                    elif date_keys:
                        day = _row_date(record, date_keys)
                        if day is not None and not first <= day <= last:
                            why = WHY_PERIOD
                files.append(f)
                records.append(record)
                notes.append(_notes(problems, messages))
                why_not.append(why)
    return rows


def _notes(problems: list[Problem], messages: dict[int, str]) -> str:
    """The problems of a row as one text: «cell: message», a line each."""
    if not problems:
        return ""
    return "\n".join(f"{p.cell}: {messages[id(p)]}" for p in problems)


def _headers(titles: list[str], reserved: list[str]) -> list[str]:
    """Spec titles made distinct from the report's own headers (a table's headers must be
    unique, case aside)."""
    taken = {t.casefold() for t in reserved}
    result = []
    for title in titles:
        name = title
        while name.casefold() in taken:
            name = C.FORM_COLUMN.format(title=name)
        taken.add(name.casefold())
        result.append(name)
    return result


def _form_data(spec: FormSpec, rows: _Rows) -> FormData:
    """The raw data table of one form: where each row came from, whether it counted, its
    problems, then the spec's columns (typed values; as read for a row with errors)."""
    meta = [FILE, ROW, C.RESPONDENT, C.BLANK_CLASS, COUNTED, WHY_NOT, NOTES]
    titles = _headers([c.title for c in spec.columns], meta)
    def where_from() -> Iterator[list]:  # one column at a time, as object_frame takes them
        yield [f.file for f in rows.files]
        yield [r.row for r in rows.records]
        yield [f.identity.get("respondent", "") for f in rows.files]
        yield [f.identity.get("class_name", "") for f in rows.files]
        yield [NO if why else YES for why in rows.why_not]
        yield rows.why_not
        yield rows.notes

    values = value_columns(rows.records, [c.key for c in spec.columns], as_read=True)
    frame = object_frame(itertools.chain(where_from(), values), meta + titles, len(rows))
    widths = {FILE: 24, ROW: 7, C.RESPONDENT: 18, C.BLANK_CLASS: 7, COUNTED: 8, WHY_NOT: 16,
              NOTES: 32}
    widths |= {t: min(c.width or 14, 24) for t, c in zip(titles, spec.columns, strict=True)}
    return FormData(spec.id, spec.version, spec.sheet, spec.title, Table(frame, widths=widths))


def _reconciliation(specs: list[FormSpec], rows: dict[str, _Rows]) -> Table:
    header = [C.FORM, C.ROWS_READ, C.COUNTED, C.WITH_ERRORS, C.OUTSIDE,
              C.IN_EXCLUDED, C.AGREES]
    data = []
    for spec in specs:
        reasons = rows[spec.id].why_not if spec.id in rows else []
        read = len(reasons)
        counted = reasons.count("")
        errors = reasons.count(WHY_ERRORS)
        outside = reasons.count(WHY_PERIOD)
        excluded = sum(w in (WHY_REFUSED, WHY_BLOCKED, WHY_SUPERSEDED) for w in reasons)
        ok = read == counted + errors + outside + excluded
        data.append([spec.sheet, read, counted, errors, outside, excluded, YES if ok else NO])
    frame = pd.DataFrame(data, columns=header)
    total = {header[0]: TOTAL_LABEL, **{h: int(frame[h].sum()) for h in header[1:-1]}}
    return Table(frame, total=total)


# --- the roadmap ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    """Control dates understood from the spec's text: fixed dates, or (month, day) every year."""

    text: str
    once: tuple[dt.date, ...] = ()
    yearly: tuple[tuple[int, int], ...] = ()

    def dates(self, year: tuple[dt.date, dt.date]) -> list[dt.date]:
        """The control dates that bind in the academic year ``year`` (its first and last
        day): the fixed dates, and each yearly day inside that year."""
        days = set(self.once)
        first, last = year
        for month, day in self.yearly:
            for calendar_year in (first.year, last.year):
                try:
                    date = dt.date(calendar_year, month, day)
                except ValueError:  # 29 February of a common year
                    continue
                if first <= date <= last:
                    days.add(date)
        return sorted(days)


def parse_deadline(text: str) -> Deadline:
    """``31.05.2024`` → once; ``ежегодно 31.05``, ``ежегодно 30.04 и 31.10`` → every year.
    Text without a date gives a deadline that never passes."""
    text = (text or "").strip()
    if text.casefold().startswith(C.YEARLY):
        pairs = []
        for d, m in _DAY_MONTH.findall(text):
            if 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
                pairs.append((int(m), int(d)))
        return Deadline(text, yearly=tuple(pairs))
    once = []
    for d, m, y in _ONE_DATE.findall(text):
        try:
            once.append(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return Deadline(text, once=tuple(once))


def is_done(deadline: Deadline, status: str | None, done_date: dt.date | None,
            as_of: dt.date, year: tuple[dt.date, dt.date]) -> bool:
    """Whether a measure counts as done on ``as_of``: its status means done (``DONE``, in a row
    without errors) with a completion date on or before ``as_of``, inside the academic year
    ``year`` for a yearly measure. Done late still counts as done."""
    if status != DONE or not isinstance(done_date, dt.date) or done_date > as_of:
        return False
    return not deadline.yearly or year[0] <= done_date <= year[1]


def is_overdue(deadline: Deadline, status: str | None, done_date: dt.date | None,
               as_of: dt.date, year: tuple[dt.date, dt.date]) -> tuple[bool, dt.date | None]:
    """Whether a measure is overdue on the reporting date ``as_of`` in the academic year
    ``year``, and the date shown as its deadline: the first one missed, else the next one to
    come, else the last one. ``status`` is what the status means (``DONE``, ``IN_WORK``, as the
    spec's ``meanings`` name them), the status itself for another, None for a row with errors
    or not handed in.

    Overdue: a control date on or before ``as_of`` and the measure not done, unless it is
    in work towards a control date still to come in the academic year."""
    dates = deadline.dates(year)
    passed = [d for d in dates if d <= as_of]
    coming = [d for d in dates if d > as_of]
    late = bool(passed) and not is_done(deadline, status, done_date, as_of, year) \
        and not (status == IN_WORK and coming)
    shown = passed[0] if late else coming[0] if coming else passed[-1] if passed else None
    return late, shown


@dataclass(frozen=True)
class _Measure:
    """What the figures need to know of one roadmap row."""

    fixed: dict  # its prefilled values, by column key
    status: str  # a status of the spec's list, or NO_INFO
    done: bool
    in_force: bool
    overdue: bool


def _roadmap(spec: FormSpec, rows: _Rows, as_of: dt.date, year: tuple[dt.date, dt.date],
             show: tuple[str, ...] = ()) -> tuple[Table, list[_Measure]]:
    """The progress of every measure part of the plan, as of the reporting date: the
    prefilled columns of the roles in ``show``, then every input column."""
    part_key = spec.role("part").key
    latest: dict[str, _Row] = {}  # part → its row in the last saved workbook taken
    for r in sorted(rows, key=lambda r: (r.file.modified, r.file.file)):
        if r.why_not not in (WHY_REFUSED, WHY_BLOCKED, WHY_SUPERSEDED):
            latest[str(r.record.get(part_key))] = r
    shown = [spec.role(role) for role in show]
    inputs = list(spec.input_columns)
    status_col = spec.role("status")
    status_key, done_date_key = status_col.key, spec.role("done_date").key
    deadline_key = spec.role("deadline").key
    statuses, done, in_work = status_col.choices, status_col.meaning(DONE), \
        status_col.meaning(IN_WORK)
    header = [c.title for c in shown] + [DUE_DATE] + [c.title for c in inputs] + [OVERDUE, NOTES]
    data, measures = [], []
    for fixed in spec.fixed_rows:
        r = latest.get(fixed[part_key])
        ok = r is not None and not r.why_not
        # A row with errors shows what was typed; its typed values may be missing.
        values = (r.record if r.record.ok else r.record.raw) if r else {}  # .get() either way
        status = values.get(status_key) if ok and values.get(status_key) in statuses \
            else NO_INFO
        deadline = parse_deadline(fixed.get(deadline_key, ""))
        done_date = values.get(done_date_key) if ok else None
        judged = None if status == NO_INFO else DONE if status in done \
            else IN_WORK if status in in_work else status
        late, due = is_overdue(deadline, judged, done_date, as_of, year)
        measures.append(_Measure(fixed, status, is_done(deadline, judged, done_date, as_of, year),
                                 any(d <= as_of for d in deadline.dates(year)), late))
        notes = r.notes if r else C.ROADMAP_NOT_SENT
        data.append([fixed.get(c.key, "") for c in shown] + [due]
                    + [values.get(c.key) for c in inputs] + [YES if late else NO, notes])
    widths = {c.title: c.width or 14 for c in shown + inputs}
    widths |= {DUE_DATE: 12, OVERDUE: 12, NOTES: 30}
    return Table(pd.DataFrame(data, columns=header, dtype=object), widths=widths), measures


def _roadmap_by(spec: FormSpec, by: str, measures: list[_Measure]) -> Table:
    """How many measure parts of each value of a prefilled role (the stage) have each status,
    and how many are overdue."""
    group = spec.role(by)
    header = [group.title, *spec.role("status").choices, NO_INFO, TOTAL, OVERDUE]
    groups = list(dict.fromkeys(m.fixed.get(group.key, "") for m in measures))
    data = []
    for value in groups:
        mine = [m for m in measures if m.fixed.get(group.key, "") == value]
        counts = [sum(m.status == s for m in mine) for s in header[1:-2]]
        data.append([value, *counts, len(mine), sum(m.overdue for m in mine)])
    frame = pd.DataFrame(data, columns=header).astype({h: "int64" for h in header[1:]})
    total = {group.title: TOTAL_LABEL, **{h: int(frame[h].sum()) for h in header[1:]}}
    return Table(frame, total=total, widths={group.title: 30})


def _progress(spec: FormSpec, summary: Summary, rows: _Rows, as_of: dt.date,
              year: tuple[dt.date, dt.date],
              measures: list[_Measure] | None) -> tuple[Shown, list[_Measure]]:
    """A declared progress summary: every measure part, or their statuses by a role."""
    table, found = _roadmap(spec, rows, as_of, year, summary.show)
    measures = found if measures is None else measures
    if summary.by:
        table = _roadmap_by(spec, summary.by, measures)
        series = tuple(table.frame.columns[1:-2])
        shown = Shown(summary, table, series=series, groups=charts(summary, table.rows))
        return shown, measures
    marked = list(table.frame[OVERDUE].eq(YES)) if table.rows else []
    return Shown(summary, table, marked=marked), measures


# --- the declared summaries ----------------------------------------------------------------

def _frame(spec: FormSpec, records: list[Record]) -> pd.DataFrame:
    """Counted rows of a form as a frame keyed by column key (objects kept as they are;
    None where a value is missing)."""
    keys = [c.key for c in spec.columns]
    return object_frame(value_columns(records, keys), keys, len(records))


def object_frame(columns: Iterable[list], names: list[str], rows: int) -> pd.DataFrame:
    """A frame of Python objects as they are, filled into one block a column at a time (a
    generator of columns never holds more than one): from a dict of lists pandas would hold
    every column twice more while it builds."""
    block = np.empty((rows, len(names)), dtype=object)
    for j, column in enumerate(columns):
        block[:, j] = column
    return pd.DataFrame(block, columns=names, copy=False)


# --- submissions, problems, sources --------------------------------------------------------

def _modified(f: FileResult) -> dt.datetime | None:
    if not f.modified:
        return None
    return dt.datetime.fromtimestamp(f.modified).replace(microsecond=0)


def _file_status(f: FileResult, why: str, errors: int, warnings: int,
                 messages: dict[int, str]) -> tuple[str, str]:
    """(status, note) of one workbook handed in."""
    if why == WHY_SUPERSEDED:
        used = next((p.params.get("used", "") for p in f.problems
                     if p.code == "workbook-replaced"), "")
        return STATUS_SUPERSEDED, C.SUPERSEDED_BY.format(used=used)
    if why == WHY_BLOCKED:
        blocking = [messages[id(p)] for p in f.problems if p.code in BLOCKING]
        return STATUS_TEXT["refused"], " ".join(blocking)
    if why == WHY_REFUSED:
        first = next((messages[id(p)] for p in f.problems if p.severity is Severity.ERROR), "")
        return STATUS_TEXT["refused"], first
    return STATUS_TEXT["errors" if errors else "warnings" if warnings else "ok"], ""


def _submissions(files: list[FileResult], taken: dict[str, str],
                 rows: dict[str, _Rows], config: Config, specs: list[FormSpec],
                 counts: dict[str, tuple[int, int]], messages: dict[int, str]) -> Table:
    """Every expected respondent with each workbook they handed in (or «не сдан»), then the
    workbooks of nobody expected."""
    header = [C.RESPONDENT, C.NAME, C.CLASS, FILE, C.SENT, C.STATUS, C.ERRORS, C.WARNINGS,
              C.LINES_READ, C.LINES_COUNTED, C.REMARK]
    read: dict[str, int] = defaultdict(int)
    used: dict[str, int] = defaultdict(int)
    for form_rows in rows.values():
        for f, why in zip(form_rows.files, form_rows.why_not, strict=True):
            read[f.file] += 1
            used[f.file] += not why
    by_respondent: dict[str, list[FileResult]] = defaultdict(list)
    for f in files:
        by_respondent[f.identity.get("respondent_id", "")].append(f)

    def line(role: str, name: str, class_name: str, f: FileResult | None) -> list:
        if f is None:
            return [role, name, class_name, "", None, STATUS_NOT_SENT, 0, 0, 0, 0, ""]
        errors, warnings = counts[f.file]
        status, note = _file_status(f, taken[f.file], errors, warnings, messages)
        return [role, name, class_name, f.file, _modified(f), status, errors, warnings,
                read[f.file], used[f.file], note]

    data = []
    people = respondents(config, specs)
    for person in people:
        handed = sorted(by_respondent.pop(person.id, []), key=saved_order)
        role = ROLE_TITLES[person.role]
        for f in handed or [None]:
            data.append(line(role, person.name, person.class_name, f))
    for f in (f for group in by_respondent.values() for f in group):
        ident = f.identity
        data.append(line(C.NOT_LISTED, ident.get("respondent", ""),
                         ident.get("class_name", ""), f))
    frame = pd.DataFrame(data, columns=header, dtype=object)
    widths = {C.RESPONDENT: 20, C.NAME: 28, C.CLASS: 7, FILE: 34, C.SENT: 16, C.STATUS: 16,
              C.ERRORS: 8, C.WARNINGS: 10, C.LINES_READ: 10, C.LINES_COUNTED: 10,
              C.REMARK: 40}
    return Table(frame, widths=widths)


def _field_title(p: Problem, titles: dict[tuple[str, str], str]) -> str:
    return p.params.get("title") or titles.get((p.sheet, p.field), p.field)


def _problems(files: list[FileResult], specs: dict[str, FormSpec],
              messages: dict[int, str]) -> Table:
    """Every problem found, with its file, sheet, cell, field title and the value read."""
    header = [FILE, C.SHEET, C.CELL, C.FIELD, C.VALUE, C.SEVERITY, C.MESSAGE, C.CODE]
    titles = {(s.sheet, c.key): c.title for s in specs.values() for c in s.columns}
    data = []
    for f in files:
        for p in f.problems:
            value = p.value
            if value is not None and not isinstance(value, str | int | float | bool | dt.date):
                value = str(value)
            data.append([f.file, p.sheet, p.cell, _field_title(p, titles), value,
                         SEVERITY_TEXT[p.severity], messages[id(p)], p.code])
    widths = {FILE: 30, C.SHEET: 20, C.CELL: 8, C.FIELD: 22, C.VALUE: 20, C.SEVERITY: 11,
              C.MESSAGE: 60, C.CODE: 18}
    return Table(pd.DataFrame(data, columns=header, dtype=object), widths=widths)


def _sources(files: list[FileResult], submissions: Table) -> Table:
    """Every file read: what it is, when it was saved, its size and checksum, its status."""
    status_of = {f: s for f, s in zip(submissions.frame[FILE], submissions.frame[C.STATUS],
                                       strict=True) if f}
    header = [FILE, C.FORMAT, C.RESPONDENT, C.CLASS, C.TEMPLATE, C.TEMPLATE_VERSION, C.MODIFIED,
              C.SIZE, "SHA-256", C.STATUS, C.LINES_READ]
    data = []
    for f in files:
        ident = f.identity
        data.append([f.file, f.format, ident.get("respondent", ""), ident.get("class_name", ""),
                     ident.get("template", ""), ident.get("template_version", ""),
                     _modified(f), f.size, f.sha256, status_of.get(f.file, ""),
                     sum(f.rows().values())])
    widths = {FILE: 32, C.FORMAT: 8, C.RESPONDENT: 24, C.CLASS: 7, C.TEMPLATE: 14,
              C.TEMPLATE_VERSION: 22, C.MODIFIED: 15, C.SIZE: 10, "SHA-256": 18,
              C.STATUS: 15, C.LINES_READ: 10}
    return Table(pd.DataFrame(data, columns=header, dtype=object), widths=widths)


def _source_rows(files: list[FileResult], specs: list[FormSpec],
                 rows: dict[str, _Rows]) -> Table:
    """Rows read per file and form, and how many of them count."""
    header = [FILE, C.FORM, C.LINES_READ, C.COUNTED, C.NOT_COUNTED]
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for form_id, form_rows in rows.items():
        for f, why in zip(form_rows.files, form_rows.why_not, strict=True):
            tally = counts[(f.file, form_id)]
            tally[0] += 1
            tally[1] += not why
    data = []
    for f in files:
        for spec in specs:
            if spec.id in f.forms:
                read, used = counts[(f.file, spec.id)]
                data.append([f.file, spec.sheet, read, used, read - used])
    frame = pd.DataFrame(data, columns=header).astype({h: "int64" for h in header[2:]})
    return Table(frame, widths={FILE: 36, C.FORM: 26, C.LINES_READ: 11, C.COUNTED: 10,
                                C.NOT_COUNTED: 10})


# --- key figures -------------------------------------------------------------------------------

_PROGRESS_COUNTS = {"measures": lambda m: True, "done": lambda m: m.done,
                    "due": lambda m: m.in_force, "overdue": lambda m: m.overdue}


def _declared(specs: list[FormSpec], rows: dict[str, _Rows], period: Period,
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
        form_rows = rows.get(spec.id) or _Rows()
        frame = _frame(spec, form_rows.counted())
        mine: list[Shown] = []
        measures = None
        for summary in spec.summaries:
            if summary.kind == "progress":
                result, measures = _progress(spec, summary, form_rows, as_of, year, measures)
            else:
                result = KINDS[summary.kind](spec, summary, frame)
            result.notes = tuple(_filled(note, period, as_of, year, summary)
                                 for note in summary.note)
            mine.append(result)
        for declared in spec.figures:
            if declared.count in _PROGRESS_COUNTS:
                counted = [m for m in measures or [] if _PROGRESS_COUNTS[declared.count](m)]
                value = (len(counted), len(measures or []))
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
        (C.BOOKS_REPLACED, int(status.eq(STATUS_SUPERSEDED).sum()), C.REPLACED_EXPLAINED),
        (C.ERRORS, sum(e for e, _ in counts.values()), C.ERRORS_SEE.format(sheet=PROBLEMS_SHEET)),
        (C.WARNINGS, sum(w for _, w in counts.values()), ""),
    ]
    frame = pd.DataFrame(rows, columns=[C.FIGURE, C.VALUE, C.EXPLANATION], dtype=object)
    return Table(frame, widths={C.FIGURE: 46, C.VALUE: 14, C.EXPLANATION: 40})
