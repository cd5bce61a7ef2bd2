"""The consolidated report workbook: writes what ``consolidate`` computed, and computes nothing.

Every table is a named Excel table; every sheet prints on A4, fitted to the page width, with
its table header repeated and numbered pages. The report carries its own identity (string
custom properties and a hidden, protected sheet «Паспорт»), so that a later ``collect`` at the
education office can recognise it.

Two ways of writing cells
-------------------------
Summary tables, the title sheet and the charts go through xlsxwriter cell by cell. The tables
that grow with the number of workbooks (raw data, problems, submissions, sources) go through
``tablewriter.TableWriter.write_table``, which streams the rows of a large one into the sheet
after xlsxwriter has closed the workbook (see that module).

Row heights are set from the wrapped lines a text needs: LibreOffice does not fit them when it
opens a workbook, and printing from it would overlap the lines.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_range

from ibc_xls.checking.check import gc_paused
from ibc_xls.checking.results import STATUS_TEXT
from ibc_xls.forms.identity import (
    CHECKS_HEADER,
    HEADER,
    HEADER_SEPARATOR,
    IDENTITY_SHEET,
    ORDER_SEPARATOR,
    PROPERTY_PREFIX,
    REPORT_FIELDS,
    REPORT_FORMAT,
    REPORT_FORMS_HEADER,
    TABLES_HEADER,
)
from ibc_xls.forms.summaries import (
    DATA_TABLE_PREFIX,
    PROBLEMS_SHEET,
    RECONCILIATION_SHEET,
    SOURCE_ROWS_SHEET,
    SOURCES_SHEET,
    SUBMISSIONS_SHEET,
    TITLE_SHEET,
)
from ibc_xls.report.analyses import AVERAGE, SCORE_SUM, FigureCheck
from ibc_xls.report.consolidate import (
    COUNTED,
    NO,
    STATUS_NOT_SENT,
    Consolidated,
    FormData,
    Shown,
    Table,
)
from ibc_xls.report.tablewriter import TableWriter, Wrap, fit_cell, missing
from ibc_xls.sheets.measure import LINE_PT, wrapped_lines
from ibc_xls.sheets.xlsx import BORDER_COLOR, HEADER_FILL, Checked, a4_page
from ibc_xls.text import Report, ReportBook

REPORT_KIND = "report"
# Said at the end of a text cut to what an Excel cell holds (``tablewriter.fit_cell``).
CUT_NOTE = ReportBook.CUT
MARK_FILL = "#F8CBAD"
PALETTE = ("#A6A6A6", "#5B9BD5", "#70AD47", "#FFC000", "#C00000", "#D9D9D9", "#7030A0",
           "#264478")
TABLE_STYLE = "Table Style Light 9"
CHARS_PER_WIDTH = 1.05  # characters of 11 pt text a unit of column width holds (about 1.1)
CHART_ROWS = 18  # rows a chart covers (20 px each)
PX_PER_WIDTH = 7  # column width → pixels, as Excel's default font measures it
MAX_WIDTH = 50
DEFAULT_WIDTH = 8.43  # Excel's column width when none is set

# The report's own sheets (besides «Данные — …» and «Паспорт») and what each shows; the
# summaries the forms declare come between the title and the submissions.
FIRST_SHEETS = {TITLE_SHEET: ReportBook.ABOUT_TITLE}
LAST_SHEETS = {
    SUBMISSIONS_SHEET: ReportBook.ABOUT_SUBMISSIONS,
    PROBLEMS_SHEET: ReportBook.ABOUT_PROBLEMS,
    RECONCILIATION_SHEET: ReportBook.ABOUT_RECONCILIATION,
    SOURCES_SHEET: ReportBook.ABOUT_SOURCES,
    SOURCE_ROWS_SHEET: ReportBook.ABOUT_SOURCE_ROWS,
}


def contents(data: Consolidated) -> list[tuple[str, str]]:
    """The sheets of the report in order (besides «Данные — …» and «Паспорт») and what each
    shows."""
    declared = [(s.summary.sheet, s.summary.about) for s in data.summaries]
    return [*FIRST_SHEETS.items(), *declared, *LAST_SHEETS.items()]


def identity(data: Consolidated, created: dt.datetime) -> dict[str, str]:
    """The report's identity: every field a string, dates in ISO form."""
    return {
        "kind": REPORT_KIND, "format": REPORT_FORMAT, "school": data.school,
        "full_name": data.full_name,
        "academic_year": data.year_label, "period_label": data.period.label,
        "period_start": data.period.start.isoformat(),
        "period_end": data.period.end.isoformat(), "as_of": data.as_of.isoformat(),
        "generator": data.generator, "created": created.isoformat(timespec="seconds"),
    }


def write_report(data: Consolidated, target, created: dt.datetime,
                 release: bool = False) -> None:
    """Write the report workbook to ``target`` (a path or a binary file object). With
    ``release``, the raw data tables of ``data`` are let go as they are written (a big
    collect needs the memory): ``data`` keeps their forms, not their rows."""
    with gc_paused():
        _write(data, target, created, release)


def _write(data: Consolidated, target, created: dt.datetime, release: bool) -> None:
    book = _Book(data, created)
    book.write()
    if release:  # the rows are streamed in at close; the writer alone holds them now
        for form in data.data.values():
            form.table = replace(form.table, frame=form.table.frame.head(0).copy())
    if isinstance(target, str | Path):
        with open(target, "wb") as out:
            book.tables.close(out)
    else:
        book.tables.close(target)


# --- formats and values --------------------------------------------------------------------

class _Formats:
    """Every format the report uses; ``cell`` picks one by the kind of value."""

    def __init__(self, wb):
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top", "text_wrap": True}
        add = wb.add_format
        self.title = add({**base, "bold": True, "font_size": 16})
        self.heading = add({**base, "bold": True, "font_size": 13})
        self.line = add(base)
        self.note = add({**base, "italic": True, "font_color": "#595959"})
        self.bold = add({**base, "bold": True})
        self.link = add({**base, "font_color": "#0563C1", "underline": 1, "text_wrap": False})
        self.plain = add({**base, "text_wrap": False})
        self.header = add({**base, "bold": True, "bg_color": HEADER_FILL, "border": 1,
                           "border_color": BORDER_COLOR, "valign": "vcenter"})
        # A number stands off its cell's right edge, so that it never touches the text of
        # the next cell («7 статус», not «7статус»).
        apart = {"align": "right", "indent": 1}
        kinds = {"text": {}, "int": {"num_format": "0", **apart},
                 "number": {"num_format": "0.00", **apart}, "general": apart,
                 "date": {"num_format": "dd.mm.yyyy", "align": "left"},
                 "datetime": {"num_format": "dd.mm.yyyy hh:mm", "align": "left"}}
        self.cells = {(kind, marked): add({**base, **extra,
                                           **({"bg_color": MARK_FILL} if marked else {})})
                      for kind, extra in kinds.items() for marked in (False, True)}
        self.total = {kind: add({**base, **extra, "bold": True}) for kind, extra in kinds.items()}
        self.mark = add({"bg_color": MARK_FILL})  # for conditional formats

    def cell(self, kind: str, marked: bool = False):
        return self.cells[(kind, marked)]

    def bulk(self) -> dict[str, object]:
        """The formats of a large table's cells, by the kind of value (``tablewriter.KINDS``);
        its numbers keep as many decimals as they have."""
        return {"text": self.cells[("text", False)], "number": self.cells[("general", False)],
                "date": self.cells[("date", False)], "datetime": self.cells[("datetime", False)]}


def _kind(value) -> str:
    """How a value is written: text, date, datetime or number."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "datetime" if value.time() != dt.time() else "date"
    if isinstance(value, dt.date):
        return "date"
    return "number"


def _number_kinds(frame: pd.DataFrame) -> list[str]:
    """Per column, the format its numbers get: whole numbers, or two decimals."""
    kinds = []
    for name in frame.columns:
        values = [float(v) for v in frame[name] if isinstance(v, numbers.Number)
                  and not isinstance(v, bool) and not missing(v)]
        kinds.append("number" if any(math.isfinite(v) and v != int(v) for v in values)
                     else "int")
    return kinds


def _width(header: str, values: pd.Series, given: float | None) -> float:
    """A column's width: the spec's, else what its header and its first values need."""
    if given:
        return float(min(given, MAX_WIDTH))
    sample = [len(str(v)) for v in values.iloc[:300] if not missing(v)]
    longest = max([max((len(w) for w in header.split()), default=4) + 2,
                   math.ceil(len(header) / 2) + 1, *(n + 2 for n in sample)])
    return float(min(max(longest, 8), MAX_WIDTH))


def _lines(text: str, width: float, size: float = 11) -> int:
    """How many lines a text wraps to in a column ``width`` wide, at ``size`` points."""
    return wrapped_lines(text, width, CHARS_PER_WIDTH, size)


# --- sheets --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    """Where a named table stands: its sheet, its zero-based header and last rows (the total
    row included) and its headers; listed on the «Паспорт» sheet for ``ibc-xls rollup``."""

    sheet: str
    header_row: int
    last_row: int
    total: bool
    headers: tuple[str, ...]

    @property
    def ref(self) -> str:
        return xl_range(self.header_row, 0, self.last_row, len(self.headers) - 1)


@dataclass
class _Line:
    row: int
    text: str
    style: object
    size: float  # points; a bold line counts larger when its lines are estimated


@dataclass
class _Sheet:
    """A worksheet laid out from the top down: text lines, tables and charts."""

    book: _Book
    name: str
    landscape: bool = True
    row: int = 0
    widths: dict[int, float] = field(default_factory=dict)
    repeat: int | None = None
    last_col: int = 0
    lines: list[_Line] = field(default_factory=list)

    def __post_init__(self):
        self.ws = Checked(self.book.raw.add_worksheet(self.name))

    def text(self, text: str, style=None, size: float = 11) -> None:
        """A line of text across the sheet's tables, wrapped (written by ``finish``)."""
        self.lines.append(_Line(self.row, text, style or self.book.fmt.line, size))
        self.row += 1

    def title(self, text: str) -> None:
        self.text(text, self.book.fmt.title, 16)

    def heading(self, text: str) -> None:
        self.text(text, self.book.fmt.heading, 13)

    def _height(self, line: _Line, across: float) -> float:
        bold = line.style in (self.book.fmt.title, self.book.fmt.heading)
        lines = _lines(line.text, across, line.size * (1.12 if bold else 1))
        return LINE_PT * line.size / 11 * lines + (4 if bold else 0)

    def note(self, text: str) -> None:
        self.text(text, self.book.fmt.note)

    def gap(self, rows: int = 1) -> None:
        self.row += rows

    def _columns(self, table: Table) -> list[float]:
        widths = [_width(str(h), table.frame[h], table.widths.get(h))
                  for h in table.frame.columns]
        for col, width in enumerate(widths):
            self.widths[col] = max(self.widths.get(col, 0), width)
        self.last_col = max(self.last_col, len(widths) - 1)
        return widths

    def _header_height(self, headers, widths: list[float]) -> None:
        lines = max((_lines(str(h), w - 1) for h, w in zip(headers, widths, strict=True)),
                    default=1)
        self.ws.set_row(self.row, LINE_PT * lines + 4)

    def table(self, name: str, table: Table, marked: list[bool] | None = None,
              repeat: bool = False) -> tuple[int, int]:
        """Write a table with xlsxwriter; return its header row and its last data row."""
        fmt = self.book.fmt
        frame = table.frame
        widths = self._columns(table)
        header_row = self.row
        self._header_height(frame.columns, widths)
        kinds = _number_kinds(frame)
        columns = [{"header": str(h), "header_format": fmt.header} for h in frame.columns]
        for i, values in enumerate(frame.itertuples(index=False, name=None)):
            row = header_row + 1 + i
            mark = bool(marked and marked[i])
            lines = 1
            for col, value in enumerate(values):
                self._cell(row, col, value, kinds[col], mark)
                if isinstance(value, str) and value:
                    lines = max(lines, _lines(value, widths[col]))
            if lines > 1:
                self.ws.set_row(row, LINE_PT * lines)
        last = header_row + max(len(frame), 1)
        if table.total is not None:
            last += 1
            _total_columns(columns, frame, table.total, fmt, header_row)
        self.ws.add_table(header_row, 0, last, len(columns) - 1, {
            "name": name, "columns": columns, "style": TABLE_STYLE,
            "total_row": table.total is not None})
        self.book.placed[name] = Placed(self.name, header_row, last, table.total is not None,
                                        tuple(map(str, frame.columns)))
        if repeat:
            self.repeat = header_row
        self.row = last + 2
        return header_row, last

    def _cell(self, row: int, col: int, value, number_kind: str, mark: bool) -> None:
        fmt = self.book.fmt
        if missing(value):
            self.ws.write_blank(row, col, None, fmt.cell("text", mark))
            return
        kind = _kind(value)
        if kind == "text":
            self.ws.write_string(row, col, fit_cell(value, CUT_NOTE), fmt.cell("text", mark))
        elif kind in ("date", "datetime"):
            self.ws.write_datetime(row, col, value, fmt.cell(kind, mark))
        elif isinstance(value, bool):
            self.ws.write_boolean(row, col, value, fmt.cell("general", mark))
        else:
            self.ws.write_number(row, col, float(value), fmt.cell(number_kind, mark))

    def bulk(self, name: str, table: Table,
             mark: tuple[str, tuple[str, ...]] | None = None) -> None:
        """A table whose rows are streamed in after the workbook closes (see the module's
        docstring). ``mark``: rows to highlight, whose column (by header) holds one of the
        values."""
        fmt = self.book.fmt
        frame = table.frame
        widths = self._columns(table)
        header_row = self.row
        self._header_height(frame.columns, widths)
        columns = [{"header": str(h), "header_format": fmt.header} for h in frame.columns]
        total = table.total is not None
        if total:
            _total_columns(columns, frame, table.total, fmt, header_row)
        last_row = self.book.tables.write_table(
            self.ws, header_row, frame, fmt.bulk(),
            {"name": name, "columns": columns, "style": TABLE_STYLE, "total_row": total},
            Wrap(widths, CHARS_PER_WIDTH, LINE_PT))
        last = header_row + max(len(frame), 1)
        if mark is not None:
            cell = f"${xl_col_to_name(list(frame.columns).index(mark[0]))}{header_row + 2}"
            tests = ",".join(f'{cell}="{value}"' for value in mark[1])
            self.ws.conditional_format(header_row + 1, 0, last, len(columns) - 1, {
                "type": "formula", "criteria": f"=OR({tests})", "format": fmt.mark})
        self.book.placed[name] = Placed(self.name, header_row, last_row, total,
                                        tuple(map(str, frame.columns)))
        self.ws.freeze_panes(header_row + 1, 0)
        self.repeat = header_row
        self.row = last + total + 2

    def reserve(self, rows: int = CHART_ROWS) -> int:
        """Keep ``rows`` rows free for charts (placed by ``charts`` once the table they show is
        written below); return the first of them. A chart above its table is on the sheet's
        first page, never cut by a page break."""
        anchor = self.row
        self.row += rows + 1
        return anchor

    def charts(self, anchor: int, charts: list, rows: int = CHART_ROWS) -> None:
        """Insert charts side by side at ``anchor``, together as wide as the tables (at least
        480 px); the sheet's print area widens to hold them."""
        width = sum(self.widths.get(c, DEFAULT_WIDTH) for c in range(self.last_col + 1))
        px = max(min(int(width * PX_PER_WIDTH), 960), 480)
        each = px // max(len(charts), 1)
        for i, chart in enumerate(charts):
            self.ws.insert_chart(anchor, 0, chart, {
                "x_offset": i * each, "x_scale": (each - 8) / 480, "y_scale": rows * 20 / 288,
                "object_position": 1})
        while width * PX_PER_WIDTH < px:
            self.last_col += 1
            width += self.widths.get(self.last_col, DEFAULT_WIDTH)

    def finish(self) -> None:
        """Column widths, the text lines, and the print setup."""
        ws = self.ws
        for col, width in self.widths.items():
            ws.set_column(col, col, width)
        across = sum(self.widths.get(c, DEFAULT_WIDTH) for c in range(self.last_col + 1))
        for line in self.lines:
            if self.last_col > 0:
                ws.merge_range(line.row, 0, line.row, self.last_col, "", line.style)
            ws.write_string(line.row, 0, line.text, line.style)
            ws.set_row(line.row, self._height(line, across))
        a4_page(ws, self.landscape)
        ws.fit_to_pages(1, 0)
        if self.repeat is not None:
            ws.repeat_rows(self.repeat)
        ws.print_area(0, 0, max(self.row - 2, 0), self.last_col)
        ws.set_footer(self.book.footer)


def _total_columns(columns: list[dict], frame: pd.DataFrame, total: dict, fmt: _Formats,
                   header_row: int) -> None:
    """Add a table's total row to its column options: a label, or a sum with its value.

    The sum is a custom total over a plain range, ``SUBTOTAL(9,D5:D20)``: Excel's own
    ``SUBTOTAL(109,[Часов])`` is a structured reference that Gnumeric cannot read, and
    Gnumeric has no function 109. Like 109, 9 leaves out the rows a filter hides. The range is
    the rows the table has once its streamed rows are in."""
    kinds = _number_kinds(frame)
    last = header_row + max(len(frame), 1)
    for col, header in enumerate(frame.columns):
        value = total.get(header)
        if isinstance(value, str):
            columns[col]["total_string"] = value
        elif value is not None:
            cells = xl_range(header_row + 1, col, last, col)
            columns[col] |= {"total_function": f"SUBTOTAL(9,{cells})", "total_value": value,
                             "format": fmt.total[kinds[col]]}


class _Book:
    """The report workbook as xlsxwriter builds it."""

    def __init__(self, data: Consolidated, created: dt.datetime):
        self.data = data
        self.created = created
        buffer = io.BytesIO()
        self.raw = xlsxwriter.Workbook(buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self.wb = Checked(self.raw)
        self.fmt = _Formats(self.raw)
        self.tables = TableWriter(self.raw, buffer, CUT_NOTE)  # closes the workbook
        self.placed: dict[str, Placed] = {}
        school = data.school.replace("&", "&&")
        period = data.period.label.replace("&", "&&")
        self.footer = ReportBook.FOOTER.format(school=school, period=period)

    def write(self) -> None:
        data = self.data
        self.wb.set_properties({
            "title": ReportBook.PROPERTY_TITLE.format(school=data.school,
                                                      period=data.period.label),
            "subject": ReportBook.PROPERTY_SUBJECT.format(period_text=data.period.text,
                                                          year=data.year_label),
            "author": "ibc-xls", "company": data.school, "created": self.created,
            "comments": ReportBook.PROPERTY_COMMENTS,
        })
        for name, value in identity(data, self.created).items():
            self.wb.set_custom_property(PROPERTY_PREFIX + name, value, "text")
        sheets = [self._title(), *map(self._summary, data.summaries), self._submissions(),
                  self._problems(), self._reconciliation(), self._sources(),
                  self._source_rows()]
        forms = list(data.data.values())
        names = _data_sheet_names([f.sheet for f in forms])
        sheets += [self._data(form, name) for form, name in zip(forms, names, strict=True)]
        for sheet in sheets:
            sheet.finish()
        self._identity_sheet()

    def _sheet(self, name: str, title: str, landscape: bool = True) -> _Sheet:
        sheet = _Sheet(self, name, landscape)
        sheet.title(title)
        return sheet

    # -- the sheets, in order --

    def _title(self) -> _Sheet:
        data, fmt = self.data, self.fmt
        s = self._sheet(TITLE_SHEET, ReportBook.TITLE, landscape=False)
        s.heading(data.full_name)
        if data.municipality:
            s.text(ReportBook.FOR.format(municipality=data.municipality))
        s.text(ReportBook.YEAR.format(year=data.year_label))
        s.text(ReportBook.PERIOD.format(label=data.period.label, text=data.period.text))
        s.text(ReportBook.AS_OF.format(as_of=data.as_of))
        s.text(ReportBook.CREATED.format(created=self.created))
        s.note(ReportBook.AS_OF_NOTE)
        s.gap()
        s.heading(ReportBook.KEY_FIGURES)
        s.table("tbl_key_figures", data.figures)
        s.heading(ReportBook.CONTENTS)
        for sheet, what in contents(data)[1:]:
            s.ws.write_url(s.row, 0, f"internal:'{sheet}'!A1", fmt.link, sheet)
            s.ws.write_string(s.row, 1, what, fmt.plain)
            s.row += 1
        s.note(ReportBook.DATA_SHEETS_NOTE)
        s.gap()
        return s

    def _summary(self, shown: Shown) -> _Sheet:
        """A summary a form declares: its note, its table, and its charts above the table."""
        summary, table = shown.summary, shown.table
        s = self._sheet(summary.sheet, summary.title,
                        landscape=summary.orientation == "landscape")
        for note in shown.notes:
            s.note(note)
        if shown.streamed:
            s.bulk(summary.table, table)
            return s
        rows = max(8, min(CHART_ROWS, 4 + shown.per_chart)) if shown.per_chart else CHART_ROWS
        anchor = s.reserve(rows) if shown.groups else None
        header, _ = s.table(summary.table, table, marked=shown.marked, repeat=True)
        if anchor is not None:
            chart = summary.chart
            s.charts(anchor, [
                self._bars(s, chart.type, title, header, table, list(shown.series),
                           stacked=chart.stacked, categories=shown.category, first=first,
                           rows=count)
                for title, first, count in shown.groups], rows)
        return s

    def _submissions(self) -> _Sheet:
        s = self._sheet(SUBMISSIONS_SHEET, ReportBook.SUBMISSIONS)
        s.note(ReportBook.SUBMISSIONS_NOTE)
        s.bulk("tbl_submissions", self.data.submissions, mark=(Report.STATUS, (
            STATUS_NOT_SENT, STATUS_TEXT["refused"], STATUS_TEXT["errors"])))
        return s

    def _problems(self) -> _Sheet:
        s = self._sheet(PROBLEMS_SHEET, ReportBook.PROBLEMS)
        s.bulk("tbl_problems", self.data.problems, mark=(Report.SEVERITY, (Report.ERROR,)))
        return s

    def _reconciliation(self) -> _Sheet:
        s = self._sheet(RECONCILIATION_SHEET, ReportBook.RECONCILIATION, landscape=False)
        s.note(ReportBook.RECONCILIATION_NOTE)
        s.table("tbl_reconciliation", self.data.reconciliation, repeat=True)
        return s

    def _sources(self) -> _Sheet:
        s = self._sheet(SOURCES_SHEET, ReportBook.SOURCES)
        s.bulk("tbl_sources", self.data.sources)
        return s

    def _source_rows(self) -> _Sheet:
        s = self._sheet(SOURCE_ROWS_SHEET, ReportBook.SOURCE_ROWS, landscape=False)
        s.bulk("tbl_source_rows", self.data.source_rows)
        return s

    def _data(self, form: FormData, name: str) -> _Sheet:
        s = self._sheet(name, ReportBook.DATA.format(title=form.title))
        s.note(ReportBook.DATA_NOTE)
        s.bulk(f"tbl_data_{form.form_id}", form.table, mark=(COUNTED, (NO,)))
        return s

    def _identity_sheet(self) -> None:
        """The hidden «Паспорт»: the identity, then the report's tables and how its key
        figures are counted again (for ``ibc-xls rollup``), then the forms."""
        ws = Checked(self.raw.add_worksheet(IDENTITY_SHEET))
        bold = self.fmt.bold
        values = identity(self.data, self.created)
        rows: list[tuple[tuple[str, ...], bool]] = [(HEADER, True)]
        rows += [((name, label, values[name]), False) for name, label in REPORT_FIELDS]
        for header, lines in ((TABLES_HEADER, self._table_rows()),
                              (CHECKS_HEADER, [_check_row(c) for c in self.data.checks]),
                              (REPORT_FORMS_HEADER, [(f.form_id, str(f.version), f.sheet,
                                               f"tbl_data_{f.form_id}")
                                              for f in self.data.data.values()])):
            rows += [((), False), (header, True), *((line, False) for line in lines)]
        for row, (cells, is_header) in enumerate(rows):
            for col, text in enumerate(cells):
                ws.write_string(row, col, text, bold if is_header else None)
        ws.set_column(0, 3, 24)
        ws.hide()
        ws.protect()

    def _table_rows(self) -> list[tuple[str, ...]]:
        kinds = {s.summary.table: s for s in self.data.summaries}
        rows = []
        for name, placed in self.placed.items():
            shown = kinds.get(name)
            kind = shown.summary.kind if shown else "figures" if name == "tbl_key_figures" \
                else "data" if name.startswith(DATA_TABLE_PREFIX) else ""
            order, top = _ordering(shown) if shown else ("", "")
            total = Report.YES if placed.total else Report.NO
            rows.append((name, placed.sheet, kind, placed.ref, total,
                         order, top, HEADER_SEPARATOR.join(placed.headers)))
        return rows

    # -- charts --

    def _bars(self, s: _Sheet, kind: str, title: str, header: int, table: Table,
              series: list[str], stacked: bool = False, categories: int = 0, first: int = 0,
              rows: int | None = None):
        """A bar or column chart of ``series`` (headers) over rows of a table just written."""
        columns = list(table.frame.columns)
        count = table.rows - first if rows is None else rows
        r0, r1 = header + 1 + first, header + first + count
        options = {"type": kind} | ({"subtype": "stacked"} if stacked else {})
        chart = Checked(self.raw.add_chart(options))
        for i, name in enumerate(series):
            col = columns.index(name)
            chart.add_series({
                "name": [s.name, header, col],
                "categories": [s.name, r0, categories, r1, categories],
                "values": [s.name, r0, col, r1, col],
                "fill": {"color": PALETTE[i % len(PALETTE)] if len(series) > 1 else PALETTE[1]},
                "border": {"none": True}, "gap": 60,
                **({"data_labels": {"value": True}} if len(series) == 1 else {}),
            })
        chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
        chart.set_legend({"position": "bottom"} if len(series) > 1 else {"none": True})
        values = table.frame[series].iloc[first:first + count].to_numpy(dtype=float)
        value_axis = {"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                      "num_font": {"size": 9}, "min": 0}
        if values.size and (values == values.round()).all():
            top = values.sum(axis=1).max() if stacked else values.max()
            value_axis |= {"major_unit": max(1, math.ceil(top / 8)), "num_format": "0"}
        category_axis = {"num_font": {"size": 9}}
        if kind == "bar":
            chart.set_x_axis(value_axis)
            chart.set_y_axis({**category_axis, "reverse": True})
        else:
            chart.set_y_axis(value_axis)
            chart.set_x_axis(category_axis)
        return chart.target




def _ordering(shown: Shown) -> tuple[str, str]:
    """How a ranked summary orders its rows (its sort keys) and how many places it shows."""
    summary, columns = shown.summary, list(shown.table.frame.columns)
    if summary.kind == "ranking":
        keys = [f"-{AVERAGE}"] + ([summary.ratio_title] if summary.ratio else [])
        return ORDER_SEPARATOR.join(keys), ""
    if summary.kind == "top_per_band":
        # The columns are the band, the place, the person, the class, the sum of the scores,
        # then the tie-break.
        keys = [f"-{SCORE_SUM}"] + ([f"-{columns[5]}"] if summary.then else [])
        return ORDER_SEPARATOR.join(keys), str(summary.top)
    return "", ""


def _check_row(check: FigureCheck) -> tuple[str, ...]:
    where = ORDER_SEPARATOR.join(f"{column}={HEADER_SEPARATOR.join(values)}"
                                 for column, values in check.where)
    return (check.label, check.form, check.count, check.column, check.class_column, where,
            check.table)


def _data_sheet_names(sheets: list[str]) -> list[str]:
    """«Данные — <form sheet>», cut to Excel's 31 characters and kept distinct."""
    names: list[str] = []
    for sheet in sheets:
        name = ReportBook.DATA_SHEET.format(sheet=sheet)[:31]
        n = 2
        while name.casefold() in {x.casefold() for x in names}:
            suffix = f" ({n})"
            name = ReportBook.DATA_SHEET.format(sheet=sheet)[:31 - len(suffix)] + suffix
            n += 1
        names.append(name)
    return names
