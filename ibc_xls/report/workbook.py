"""The consolidated report workbook: writes what ``consolidate`` computed, and computes nothing.

Every table is a named Excel table; every sheet prints on A4, fitted to the page width, with
its table header repeated and numbered pages (``ibc_xls.sheets.sheet``). The sheets are
``report.pages``, in order, each written by ``report.writers``. The report carries its own
identity (string custom properties and a hidden, protected sheet «Паспорт», written here), so
that ``ibc-xls rollup`` at the education office can recognise it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ibc_xls.checking.check import gc_paused
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
    REPORT_KIND,
    TABLES_HEADER,
)
from ibc_xls.forms.summaries import DATA_TABLE_PREFIX
from ibc_xls.report.analyses import AVERAGE, SCORE_SUM
from ibc_xls.report.consolidate import Consolidated, Shown
from ibc_xls.report.figures import FigureCheck
from ibc_xls.report.pages import listed, pages
from ibc_xls.sheets.book import SheetBook, footer_field
from ibc_xls.sheets.xlsx import Checked
from ibc_xls.text import Report, ReportBook


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
    book = ReportWorkbook(data, created)
    book.write()
    if release:  # the rows are streamed in at close; the writer alone holds them now
        for form in data.data.values():
            form.table = replace(form.table, frame=form.table.frame.head(0).copy())
    book.close(target)


class ReportWorkbook(SheetBook):
    """The report workbook as xlsxwriter builds it."""

    def __init__(self, data: Consolidated, created: dt.datetime):
        super().__init__(ReportBook.FOOTER.format(school=footer_field(data.school),
                                                  period=footer_field(data.period.label)))
        self.data = data
        self.created = created
        self.contents: list[tuple[str, str]] = []  # the sheets the title sheet lists

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
        all_pages = pages(data)
        self.contents = listed(all_pages)
        for sheet in [page.write(self, page.sheet) for page in all_pages]:
            sheet.finish()
        self._identity_sheet()

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
