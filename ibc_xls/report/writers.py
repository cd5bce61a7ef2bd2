"""How each sheet of the report is written, from what ``consolidate`` computed: one function
a sheet, given the report's workbook (``report.workbook``) and the sheet's name; the names and
the order are ``report.pages``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ibc_xls.checking.results import STATUS_TEXT
from ibc_xls.report.consolidate import COUNTED, NO, STATUS_NOT_SENT, FormData, Shown
from ibc_xls.sheets.sheet import CHART_ROWS, Sheet
from ibc_xls.text import Report, ReportBook

if TYPE_CHECKING:
    from ibc_xls.report.workbook import ReportWorkbook


def title(book: ReportWorkbook, name: str) -> Sheet:
    """The title sheet: the school, the period, the reporting date, the key figures and the
    contents."""
    data, fmt = book.data, book.fmt
    s = book.sheet(name, ReportBook.TITLE, landscape=False)
    s.heading(data.full_name)
    if data.municipality:
        s.text(ReportBook.FOR.format(municipality=data.municipality))
    s.text(ReportBook.YEAR.format(year=data.year_label))
    s.text(ReportBook.PERIOD.format(label=data.period.label, text=data.period.text))
    s.text(ReportBook.AS_OF.format(as_of=data.as_of))
    s.text(ReportBook.CREATED.format(created=book.created))
    s.note(ReportBook.AS_OF_NOTE)
    s.gap()
    s.heading(ReportBook.KEY_FIGURES)
    s.table("tbl_key_figures", data.figures)
    s.heading(ReportBook.CONTENTS)
    for sheet, what in book.contents[1:]:
        s.ws.write_url(s.row, 0, f"internal:'{sheet}'!A1", fmt.link, sheet)
        s.ws.write_string(s.row, 1, what, fmt.plain)
        s.row += 1
    s.note(ReportBook.DATA_SHEETS_NOTE)
    s.gap()
    return s


def summary(book: ReportWorkbook, name: str, shown: Shown) -> Sheet:
    """A summary a form declares: its note, its table, and its charts above the table."""
    summary, table = shown.summary, shown.table
    s = book.sheet(name, summary.title, landscape=summary.orientation == "landscape")
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
            book.bars(s, chart.type, title, header, table, list(shown.series),
                      stacked=chart.stacked, categories=shown.category, first=first,
                      rows=count)
            for title, first, count in shown.groups], rows)
    return s


def submissions(book: ReportWorkbook, name: str) -> Sheet:
    """Who handed in which workbook, and who has not: missing, refused and faulty marked."""
    s = book.sheet(name, ReportBook.SUBMISSIONS)
    s.note(ReportBook.SUBMISSIONS_NOTE)
    s.bulk("tbl_submissions", book.data.submissions, mark=(Report.STATUS, (
        STATUS_NOT_SENT, STATUS_TEXT["refused"], STATUS_TEXT["errors"])))
    return s


def problems(book: ReportWorkbook, name: str) -> Sheet:
    """Every problem found, errors marked."""
    s = book.sheet(name, ReportBook.PROBLEMS)
    s.bulk("tbl_problems", book.data.problems, mark=(Report.SEVERITY, (Report.ERROR,)))
    return s


def reconciliation(book: ReportWorkbook, name: str) -> Sheet:
    """Rows read = counted + with errors + outside the period + in workbooks not taken."""
    s = book.sheet(name, ReportBook.RECONCILIATION, landscape=False)
    s.note(ReportBook.RECONCILIATION_NOTE)
    s.table("tbl_reconciliation", book.data.reconciliation, repeat=True)
    return s


def sources(book: ReportWorkbook, name: str) -> Sheet:
    """Every file read."""
    s = book.sheet(name, ReportBook.SOURCES)
    s.bulk("tbl_sources", book.data.sources)
    return s


def source_rows(book: ReportWorkbook, name: str) -> Sheet:
    """Rows read and counted per file and form."""
    s = book.sheet(name, ReportBook.SOURCE_ROWS, landscape=False)
    s.bulk("tbl_source_rows", book.data.source_rows)
    return s


def data(book: ReportWorkbook, name: str, form: FormData) -> Sheet:
    """A form's raw data: every row read, the rows not counted marked."""
    s = book.sheet(name, ReportBook.DATA.format(title=form.title))
    s.note(ReportBook.DATA_NOTE)
    s.bulk(f"tbl_data_{form.form_id}", form.table, mark=(COUNTED, (NO,)))
    return s
