"""The school reports read → every table of the office's summary (pandas; no I/O).

Which reports count: a report of a school the office expects, for the chosen period (by
default the latest period any expected school reported on); of several reports of one school
and period, the one created last (by the «Создан» of its identity, then by the file's time).
A counted report is checked against its own tables first (``reconcile``): a key figure that
its raw data table no longer gives, or a total row that its rows no longer add up to, means
the report was edited by hand. Such a school is listed and its figures are shown, marked, on
the sheet of figures by school, but it is left out of every total and every table across
schools, so that the summary never sums a figure nobody can vouch for.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ibc_xls.forms.identity import ORDER_SEPARATOR
from ibc_xls.normalize import choice_key
from ibc_xls.problems import IbcError, Problem, Severity, shown
from ibc_xls.report.analyses import BAND, COVERED, OVERDUE, RANK, TOTAL, TOTAL_LABEL, YES, Table
from ibc_xls.report.consolidate import COUNTED
from ibc_xls.rollup.office import OFFICE_CONFIG_NAME, Office, School
from ibc_xls.rollup.readreport import ReportRead, TableRead, period_code
from ibc_xls.settings.periods import report_period

SCHOOL = "Школа"
SCHOOL_PLACE = "Место в школе"
FIGURE_TABLE = "tbl_key_figures"
GROUPED = ("progress", "crosstab", "coverage")  # kinds whose tables have a total row to add
STATUS_USED = "учтён"
STATUS_FLAGGED = "цифры не сходятся, не учтён в итогах"
STATUS_HISTORY = "учтён в динамике"
STATUS_REPLACED = "заменён более поздним"
STATUS_OTHER_PERIOD = "другой период"
STATUS_UNKNOWN = "школы нет в списке"
STATUS_REFUSED = "не отчёт или не читается"
STATUS_MISSING = "не сдан"
SEVERITY_TEXT = {Severity.ERROR: "ошибка", Severity.WARNING: "замечание"}


@dataclass
class Section:
    """The tables of one summary the schools' reports declare, combined across schools."""

    name: str  # the school reports' table name
    sheet: str
    kind: str
    title: str
    by_school: Table | None = None  # one row per school
    series: tuple[str, ...] = ()  # what the chart of schools shows
    stacked: bool = False
    by_category: Table | None = None  # the school tables' rows added up
    rows: Table | None = None  # every school's rows, with the school


@dataclass
class Used:
    """A report that counts, and whether its figures match its own tables."""

    school: School
    report: ReportRead
    period: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not any(p.severity == Severity.ERROR for p in self.problems)


@dataclass
class Rolled:
    """Everything the summary workbook shows, already computed."""

    office: Office
    period: str  # code, "" when no report names one
    period_label: str
    files: Table
    reports: Table
    problems: Table
    figures: Table
    school_figures: Table
    flagged: list[bool]  # per row of school_figures
    sections: list[Section]
    dynamics: list[tuple[str, Table]]  # (figure label, table of schools × periods)
    data: list[tuple[str, str, Table]]  # (form id, sheet, every counted school's raw rows)
    used: list[Used]
    missing: list[School]
    all_periods: bool = False
    problem_list: list[Problem] = field(default_factory=list)

    @property
    def counted(self) -> list[Used]:
        return [u for u in self.used if u.sound]

    @property
    def errors(self) -> int:
        return sum(p.severity == Severity.ERROR for p in self.problem_list)


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > 1e-6 * max(1.0, abs(a), abs(b))


# --- a report against its own tables --------------------------------------------------------

def _data_rows(report: ReportRead, form: str) -> TableRead | None:
    table = report.forms.get(form, ("", "", f"tbl_data_{form}"))[2]
    return report.tables.get(table)


def _recount(report: ReportRead, check) -> tuple[float, str] | None:
    """A key figure counted again from the report's tables, and the table it comes from."""
    if check.count == "total":
        table = report.tables.get(check.table)
        col = table.column(check.column) if table else None
        if table is None or table.total is None or col is None:
            return None
        value = _number(table.total[col])
        return (value, check.table) if value is not None else None
    data = _data_rows(report, check.form)
    counted = data.column(COUNTED) if data else None
    if data is None or counted is None:
        return None
    rows = [r for r in data.rows if r[counted] == YES]
    for header, values in check.where:
        col = data.column(header)
        if col is None:
            return None
        keys = {choice_key(v) for v in values}
        rows = [r for r in rows if r[col] is not None and choice_key(str(r[col])) in keys]
    if check.count == "rows":
        return float(len(rows)), data.name
    col = data.column(check.column)
    if col is None:
        return None
    if check.count == "sum":
        return float(sum(_number(r[col]) or 0 for r in rows)), data.name
    if check.count == "people":
        school_class = data.column(check.class_column) if check.class_column else None
        people = {(choice_key(str(r[col])),
                   str(r[school_class]) if school_class is not None else "")
                  for r in rows if r[col] is not None}
        return float(len(people)), data.name
    return None


def reconcile(report: ReportRead) -> list[Problem]:
    """Whether a report's key figures and total rows still agree with its own tables."""
    problems = list(report.problems)
    figures = report.tables.get(FIGURE_TABLE)
    if figures is not None:
        labels = {str(row[0]): i for i, row in enumerate(figures.rows)}
        for check in report.checks:
            i = labels.get(check.label)
            found = _number(figures.rows[i][1]) if i is not None else None
            again = _recount(report, check) if found is not None else None
            if again is not None and _differ(found, again[0]):
                problems.append(Problem(
                    "report-figure-mismatch", file=report.file, sheet=figures.sheet,
                    row=figures.row(i), col=1, params={
                        "label": check.label, "found": shown(_plain(found)),
                        "expected": shown(_plain(again[0])), "table": again[1]}))
    for table in report.tables.values():
        if table.total is None or table.kind == "data":
            continue
        for col, total in enumerate(table.total[1:], start=1):
            value = _number(total)
            if value is None:
                continue
            added = sum(_number(r[col]) or 0 for r in table.rows)
            if _differ(value, added):
                problems.append(Problem(
                    "report-total-mismatch", file=report.file, sheet=table.sheet,
                    row=table.row(len(table.rows)), col=col, params={
                        "column": table.headers[col], "table": table.name,
                        "found": shown(_plain(value)), "expected": shown(_plain(added))}))
    return problems


# --- choosing the reports -------------------------------------------------------------------

def _label(code: str, reports: Iterable[ReportRead]) -> str:
    for report in reports:
        if period_code(report.identity) == code:
            return report.identity.get("period_label") or code
    return code


def _order(code: str) -> tuple:
    try:
        return (report_period(code).end,)
    except IbcError:  # a custom range sorts by its end date
        end = code.rpartition("_")[2]
        try:
            return (dt.date.fromisoformat(end),)
        except ValueError:
            return (dt.date.max,)


def _row(file: str, school: str, period: str, created: str, status: str, why: str) -> dict:
    return {"Файл": file, SCHOOL: school, "Период": period, "Создан": created,
            "Статус": status, "Причина": why}


def rollup(office: Office, outcomes: list[tuple[str, ReportRead | Problem]],
           period: str | None = None, all_periods: bool = False) -> Rolled:
    """Choose the reports that count (see the module's docstring), check them, and compute
    every table of the summary. ``outcomes``: each file read, by its name, as read or as the
    problem that kept it from being read."""
    problems: list[Problem] = []
    files: list[dict] = []
    reports: list[tuple[School, ReportRead, str]] = []
    for name, outcome in outcomes:
        if isinstance(outcome, Problem):
            problems.append(outcome)
            files.append(_row(name, "", "", "", STATUS_REFUSED, outcome.message))
            continue
        school = office.school(outcome.school)
        code = period_code(outcome.identity)
        if school is None:
            p = Problem("report-unknown-school", file=name, params={
                "school": outcome.school, "config": OFFICE_CONFIG_NAME})
            problems.append(p)
            files.append(_row(name, outcome.school, outcome.identity.get("period_label", ""),
                              outcome.created, STATUS_UNKNOWN, p.message))
            continue
        reports.append((school, outcome, code))
    codes = {code for _, _, code in reports if code}
    chosen = period or (max(codes, key=_order) if codes else "")
    latest: dict[tuple[str, str], tuple[School, ReportRead, str]] = {}
    for item in sorted(reports, key=lambda x: (x[1].created, x[1].modified, x[1].file)):
        latest[(item[0].key, item[2])] = item
    used: list[Used] = []
    history: list[Used] = []
    file_rows: dict[str, dict] = {}
    for school, report, code in reports:
        label = report.identity.get("period_label", code)
        winner = latest[(school.key, code)][1]
        if winner is not report:
            p = Problem("report-replaced", file=report.file, params={
                "school": school.short, "used": winner.file})
            problems.append(p)
            file_rows[report.file] = _row(report.file, school.short, label, report.created,
                                          STATUS_REPLACED, p.message)
        elif code == chosen or all_periods:
            one = Used(school, report, code, reconcile(report))
            problems += one.problems
            (used if code == chosen else history).append(one)
            status = (STATUS_USED if one.sound else STATUS_FLAGGED) if code == chosen \
                else STATUS_HISTORY if one.sound else STATUS_FLAGGED
            why = " ".join(p.message for p in one.problems)
            file_rows[report.file] = _row(report.file, school.short, label, report.created,
                                          status, why)
        else:
            p = Problem("report-other-period", file=report.file, params={
                "found": label, "expected": chosen})
            problems.append(p)
            file_rows[report.file] = _row(report.file, school.short, label, report.created,
                                          STATUS_OTHER_PERIOD, p.message)
    files += file_rows.values()
    order = {s.key: i for i, s in enumerate(office.schools)}
    used.sort(key=lambda u: order[u.school.key])
    sent = {u.school.key for u in used}
    missing = [s for s in office.schools if s.key not in sent]
    counted = [u for u in used if u.sound]
    labels = _figure_labels(counted)
    school_figures, flagged = _school_figures(used, labels)
    files_frame = pd.DataFrame(sorted(files, key=lambda r: r["Файл"]),
                               columns=list(_row("", "", "", "", "", "")))
    return Rolled(
        office=office, period=chosen,
        period_label=_label(chosen, (r for _, r, _ in reports)) if chosen else "",
        files=Table(files_frame, widths={"Файл": 40, "Причина": 60}),
        reports=_reports(office, used),
        problems=_problems(problems),
        figures=_figures(office, used, counted, labels),
        school_figures=school_figures, flagged=flagged,
        sections=_sections(counted),
        dynamics=_dynamics(office, counted + [h for h in history if h.sound])
        if all_periods else [],
        data=_data(counted), used=used, missing=missing, all_periods=all_periods,
        problem_list=problems)


# --- the tables -----------------------------------------------------------------------------

def _key_figures(report: ReportRead) -> dict[str, float]:
    table = report.tables.get(FIGURE_TABLE)
    found = {}
    for row in table.rows if table else []:
        value = _number(row[1])
        if value is not None and row[0] is not None:
            found.setdefault(str(row[0]), value)
    return found


def _figure_labels(used: list[Used]) -> list[str]:
    """The numeric key figures of the reports, in the order the reports list them."""
    labels: dict[str, None] = {}
    for u in used:
        labels.update(dict.fromkeys(_key_figures(u.report)))
    return list(labels)


def _figures(office: Office, used: list[Used], counted: list[Used],
             labels: list[str]) -> Table:
    expected = len(office.schools)
    rows = [("Школ в списке управления", expected, "", ""),
            ("Школ сдали отчёт", len(used), "", f"из {expected}"),
            ("Школ не сдали отчёт", expected - len(used), "", f"из {expected}"),
            ("Отчётов не учтено в итогах", len(used) - len(counted), "",
             "цифры отчёта не сходятся с его таблицами")]
    for label in labels:
        values = [v for u in counted if (v := _key_figures(u.report).get(label)) is not None]
        rows.append((label, _plain(sum(values)), len(values), "сумма по школам"))
    frame = pd.DataFrame(rows, columns=["Показатель", "Итого", "Школ", "Пояснение"],
                         dtype=object)
    return Table(frame, widths={"Показатель": 46, "Итого": 12, "Школ": 8, "Пояснение": 30})


def _school_figures(used: list[Used], labels: list[str]) -> tuple[Table, list[bool]]:
    extra = {label for u in used for label in _key_figures(u.report)} - set(labels)
    labels = labels + sorted(extra)
    rows = []
    for u in used:
        figures = _key_figures(u.report)
        rows.append([u.school.short, *(_plain(figures[x]) if x in figures else None
                                       for x in labels), "да" if u.sound else "нет"])
    frame = pd.DataFrame(rows, columns=[SCHOOL, *labels, "Учтён в итогах"], dtype=object)
    widths = {SCHOOL: 24} | {x: 12 for x in labels}
    return Table(frame, widths=widths), [not u.sound for u in used]


def _reports(office: Office, used: list[Used]) -> Table:
    by_school = {u.school.key: u for u in used}
    rows = []
    for school in office.schools:
        u = by_school.get(school.key)
        if u is None:
            rows.append([school.short, school.full, "", "", None, None, STATUS_MISSING])
            continue
        identity = u.report.identity
        rows.append([school.short, school.full, u.report.file, identity.get("period_label"),
                     _date(identity.get("as_of")), _datetime(identity.get("created")),
                     STATUS_USED if u.sound else STATUS_FLAGGED])
    frame = pd.DataFrame(rows, columns=[SCHOOL, "Полное название", "Файл", "Период",
                                        "Отчётная дата", "Создан", "Статус"], dtype=object)
    return Table(frame, widths={SCHOOL: 22, "Полное название": 40, "Файл": 36, "Статус": 18})


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def _datetime(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text or "")
    except ValueError:
        return None


def _problems(problems: list[Problem]) -> Table:
    rows = [[p.file, p.sheet, p.cell, SEVERITY_TEXT[p.severity], p.message, p.code]
            for p in problems]
    frame = pd.DataFrame(rows, columns=["Файл", "Лист", "Ячейка", "Важность", "Сообщение",
                                        "Код"], dtype=object)
    return Table(frame, widths={"Файл": 36, "Сообщение": 70})


def _frame(rows: list[list], headers: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=headers, dtype=object)


def _with_school(tables: list[tuple[str, TableRead]], drop: tuple[str, ...] = ()) -> Table:
    """Every school's rows of a table, a «Школа» column first; headers united in order."""
    headers: dict[str, None] = {}
    for _, table in tables:
        headers.update(dict.fromkeys(h for h in table.headers if h not in drop))
    names = list(headers)
    rows = []
    for school, table in tables:
        index = [table.column(h) for h in names]
        rows += [[school, *(row[i] if i is not None else None for i in index)]
                 for row in table.rows]
    return Table(_frame(rows, [SCHOOL, *names]), widths={SCHOOL: 22})


def _numeric_columns(table: TableRead) -> list[str]:
    return [h for h, v in zip(table.headers[1:], (table.total or [])[1:], strict=False)
            if _number(v) is not None]


def _sections(counted: list[Used]) -> list[Section]:
    names: dict[str, TableRead] = {}
    for u in counted:
        for table in u.report.tables.values():
            if table.kind in (*GROUPED, "listing", "ranking", "top_per_band"):
                names.setdefault(table.name, table)
    sections = []
    for name, first in names.items():
        tables = [(u.school.short, u.report.tables[name]) for u in counted
                  if name in u.report.tables]
        section = Section(name, first.sheet, first.kind, first.sheet)
        if first.kind in GROUPED and first.total is not None:
            _grouped(section, tables)
        elif first.kind == "ranking":
            section.rows = _ranked(tables, first)
        elif first.kind == "top_per_band":
            section.rows = _top(tables, first)
        else:
            section.rows = _with_school(tables)
            if first.total is not None:
                section.by_school = _listing_totals(tables)
        sections.append(section)
    return sections


def _grouped(section: Section, tables: list[tuple[str, TableRead]]) -> None:
    first = tables[0][1]
    numeric = _numeric_columns(first)
    category = first.headers[0]
    rows = []
    for school, table in tables:
        total = table.total or []
        row = [school] + [total[c] if (c := table.column(h)) is not None else None
                          for h in numeric]
        if section.kind == "coverage":
            covered = table.column(COVERED)
            row.append(sum(r[covered] == YES for r in table.rows) if covered is not None else 0)
        rows.append(row)
    headers = [SCHOOL, *numeric] + (["Тем охвачено"] if section.kind == "coverage" else [])
    frame = _frame(rows, headers)
    section.by_school = Table(frame, total={SCHOOL: TOTAL_LABEL, **{
        h: _plain(sum(_number(v) or 0 for v in frame[h])) for h in headers[1:]}},
        widths={SCHOOL: 24})
    section.series = tuple(h for h in headers[1:] if h not in (TOTAL, OVERDUE)) \
        if section.kind != "coverage" else tuple(headers[1:])
    section.stacked = section.kind == "progress"
    # The categories (stages, topics) in the order the reports list them, added up.
    sums: dict[str, list[float]] = {}
    schools: dict[str, int] = {}
    for _, table in tables:
        index = [table.column(h) for h in numeric]
        covered = table.column(COVERED)
        for row in table.rows:
            key = str(row[0])
            acc = sums.setdefault(key, [0.0] * len(numeric))
            for j, i in enumerate(index):
                acc[j] += (_number(row[i]) or 0) if i is not None else 0
            if covered is not None and row[covered] == YES:
                schools[key] = schools.get(key, 0) + 1
    extra = ["Школ"] if section.kind == "coverage" else []
    data = [[key, *map(_plain, values), *([schools.get(key, 0)] if extra else [])]
            for key, values in sums.items()]
    frame = _frame(data, [category, *numeric, *extra])
    section.by_category = Table(frame, total={category: TOTAL_LABEL, **{
        h: _plain(sum(_number(v) or 0 for v in frame[h])) for h in [*numeric, *extra]}},
        widths={category: 30})
    section.rows = _with_school(tables)


def _listing_totals(tables: list[tuple[str, TableRead]]) -> Table:
    numeric = _numeric_columns(tables[0][1])
    rows = [[school, len(table.rows), *((table.total or [None] * len(table.headers))[c]
                                        if (c := table.column(h)) is not None else None
                                        for h in numeric)]
            for school, table in tables]
    frame = _frame(rows, [SCHOOL, "Строк", *numeric])
    total = {SCHOOL: TOTAL_LABEL, **{h: _plain(sum(_number(v) or 0 for v in frame[h]))
                                     for h in ["Строк", *numeric]}}
    return Table(frame, total=total, widths={SCHOOL: 24})


def _sort_keys(order: str) -> tuple[list[str], list[bool]]:
    keys, ascending = [], []
    for item in order.split(ORDER_SEPARATOR) if order else []:
        keys.append(item.removeprefix("-"))
        ascending.append(not item.startswith("-"))
    return keys, ascending


def _places(frame: pd.DataFrame, keys: list[str], ascending: list[bool]) -> pd.Series:
    """Competition ranking on the sort keys: rows equal on every key share a place."""
    numbers = frame[keys].apply(pd.to_numeric, errors="coerce")
    ordered = numbers.sort_values(keys, ascending=ascending, kind="stable", na_position="last")
    new = ordered.ne(ordered.shift()).any(axis=1)
    positions = pd.Series(range(1, len(ordered) + 1), index=ordered.index)
    return positions.where(new).ffill().astype("int64").reindex(frame.index)


def _ranked(tables: list[tuple[str, TableRead]], first: TableRead) -> Table:
    """The schools' rankings as one: every school's rows ranked again on the report's keys."""
    table = _with_school(tables)
    frame = table.frame.rename(columns={RANK: SCHOOL_PLACE})
    keys, ascending = _sort_keys(first.order)
    keys = [k for k in keys if k in frame.columns]
    if len(frame) and keys:
        frame.insert(0, RANK, _places(frame, keys, ascending[:len(keys)]))
        frame = frame.sort_values([RANK, SCHOOL], kind="stable").reset_index(drop=True)
    return Table(frame, widths={SCHOOL: 22})


def _top(tables: list[tuple[str, TableRead]], first: TableRead) -> Table:
    """The best rows of each band across schools, ranked again on the report's keys."""
    frame = _with_school(tables).frame
    keys, ascending = _sort_keys(first.order)
    keys = [k for k in keys if k in frame.columns]
    parts = []
    for band in dict.fromkeys(frame[BAND]) if BAND in frame.columns else []:
        part = frame[frame[BAND] == band].drop(columns=[RANK], errors="ignore")
        if keys:
            part.insert(1, RANK, _places(part, keys, ascending[:len(keys)]))
            part = part.sort_values([RANK, SCHOOL], kind="stable")
            if first.top:
                part = part[part[RANK] <= first.top]
        parts.append(part)
    if parts:
        frame = pd.concat(parts).reset_index(drop=True)
        order = [BAND, RANK, SCHOOL] + [c for c in frame.columns if c not in (BAND, RANK, SCHOOL)]
        frame = frame[[c for c in order if c in frame.columns]]
    return Table(frame, widths={SCHOOL: 22})


def _dynamics(office: Office, used: list[Used]) -> list[tuple[str, Table]]:
    """Per key figure: one row per school, one column per period."""
    codes = sorted({u.period for u in used}, key=_order)
    by = {(u.school.key, u.period): _key_figures(u.report) for u in used}
    labels = _figure_labels(sorted(used, key=lambda u: _order(u.period), reverse=True))
    result = []
    for label in labels:
        rows = []
        for school in office.schools:
            values = [by.get((school.key, code), {}).get(label) for code in codes]
            rows.append([school.short, *(_plain(v) if v is not None else None for v in values)])
        frame = _frame(rows, [SCHOOL, *codes])
        total = {SCHOOL: TOTAL_LABEL, **{c: _plain(sum(_number(v) or 0 for v in frame[c]))
                                         for c in codes}}
        result.append((label, Table(frame, total=total, widths={SCHOOL: 24})))
    return result


def _data(counted: list[Used]) -> list[tuple[str, str, Table]]:
    forms: dict[str, str] = {}
    for u in counted:
        for form, (_, _, table) in u.report.forms.items():
            if table in u.report.tables:
                forms.setdefault(form, u.report.tables[table].sheet)
    result = []
    for form, sheet in forms.items():
        tables = [(u.school.short, t) for u in counted if (t := _data_rows(u.report, form))]
        result.append((form, sheet.removeprefix("Данные — "), _with_school(tables)))
    return result

