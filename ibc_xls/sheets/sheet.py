"""A sheet laid out from the top down: lines of text, named tables and charts, printed on A4
fitted to the page width with the table header repeated and numbered pages. The report and the
office's summary are built of such sheets (``sheets.book.SheetBook``).

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
import math
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from xlsxwriter.utility import xl_col_to_name, xl_range

from ibc_xls.sheets.formats import ReportFormats
from ibc_xls.sheets.measure import LINE_PT, TEXT_CHAR, bold_width, wrapped_lines
from ibc_xls.sheets.tablewriter import Wrap, fit_cell, missing
from ibc_xls.sheets.xlsx import Checked, a4_page
from ibc_xls.text import ReportBook

if TYPE_CHECKING:
    from ibc_xls.sheets.book import SheetBook

# Said at the end of a text cut to what an Excel cell holds (``tablewriter.fit_cell``).
CUT_NOTE = ReportBook.CUT
TABLE_STYLE = "Table Style Light 9"
CHARS_PER_WIDTH = 1 / TEXT_CHAR  # characters of 11 pt text a unit of column width holds
CHART_ROWS = 18  # rows a chart covers (20 px each)
PX_PER_WIDTH = 7  # column width → pixels, as Excel's default font measures it
MAX_WIDTH = 50
DEFAULT_WIDTH = 8.43  # Excel's column width when none is set


@dataclass
class Table:
    """One table of a sheet: a frame whose column names are its Russian headers, the values
    of its total row (header → value) if it has one, and column widths where the specs give
    them."""

    frame: pd.DataFrame
    total: dict[str, object] | None = None
    widths: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.frame)


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
    """A column's width: the spec's, else what its header and its first values need; never
    narrower than the longest word of its header in bold, so that a header breaks between
    words only."""
    word = max((bold_width(w) for w in header.split()), default=0)
    if given:
        return float(min(max(given, word), MAX_WIDTH))
    sample = [len(str(v)) for v in values.iloc[:300] if not missing(v)]
    longest = max([max((len(w) for w in header.split()), default=4) + 2,
                   math.ceil(len(header) / 2) + 1, *(n + 2 for n in sample)])
    return float(min(max(longest, 8, word), MAX_WIDTH))


def _lines(text: str, width: float, size: float = 11) -> int:
    """How many lines a text wraps to in a column ``width`` wide, at ``size`` points."""
    return wrapped_lines(text, width, CHARS_PER_WIDTH, size)


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
class Sheet:
    """A worksheet laid out from the top down: text lines, tables and charts."""

    book: SheetBook
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


def _total_columns(columns: list[dict], frame: pd.DataFrame, total: dict, fmt: ReportFormats,
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
