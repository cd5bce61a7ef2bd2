"""The consolidated report workbook: writes what ``consolidate`` computed, and computes nothing.

Every table is a named Excel table; every sheet prints on A4, fitted to the page width, with
its table header repeated and numbered pages (``ibc_xls.sheets.sheet``). The report carries
its own identity (string custom properties and a hidden, protected sheet «Паспорт»), so that
``ibc-xls rollup`` at the education office can recognise it.
"""

from __future__ import annotations

import datetime as dt

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
)
from ibc_xls.sheets.book import SheetBook, footer_field
from ibc_xls.sheets.sheet import CHART_ROWS, Sheet
from ibc_xls.sheets.xlsx import Checked
from ibc_xls.text import Report, ReportBook

REPORT_KIND = "report"

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


def write_report(data: Consolidated, target, created: dt.datetime) -> None:
    """Write the report workbook to ``target`` (a path or a binary file object)."""
    with gc_paused():
        _write(data, target, created)


def _write(data: Consolidated, target, created: dt.datetime) -> None:
    book = _Book(data, created)
    book.write()
    book.close(target)


class _Book(SheetBook):
    """The report workbook as xlsxwriter builds it."""

    def __init__(self, data: Consolidated, created: dt.datetime):
        super().__init__(ReportBook.FOOTER.format(school=footer_field(data.school),
                                                  period=footer_field(data.period.label)))
        self.data = data
        self.created = created

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

    # -- the sheets, in order --

    def _title(self) -> Sheet:
        data, fmt = self.data, self.fmt
        s = self.sheet(TITLE_SHEET, ReportBook.TITLE, landscape=False)
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

    def _summary(self, shown: Shown) -> Sheet:
        """A summary a form declares: its note, its table, and its charts above the table."""
        summary, table = shown.summary, shown.table
        s = self.sheet(summary.sheet, summary.title,
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
                self.bars(s, chart.type, title, header, table, list(shown.series),
                           stacked=chart.stacked, categories=shown.category, first=first,
                           rows=count)
                for title, first, count in shown.groups], rows)
        return s

    def _submissions(self) -> Sheet:
        s = self.sheet(SUBMISSIONS_SHEET, ReportBook.SUBMISSIONS)
        s.note(ReportBook.SUBMISSIONS_NOTE)
        s.bulk("tbl_submissions", self.data.submissions, mark=(Report.STATUS, (
            STATUS_NOT_SENT, STATUS_TEXT["refused"], STATUS_TEXT["errors"])))
        return s

    def _problems(self) -> Sheet:
        s = self.sheet(PROBLEMS_SHEET, ReportBook.PROBLEMS)
        s.bulk("tbl_problems", self.data.problems, mark=(Report.SEVERITY, (Report.ERROR,)))
        return s

    def _reconciliation(self) -> Sheet:
        s = self.sheet(RECONCILIATION_SHEET, ReportBook.RECONCILIATION, landscape=False)
        s.note(ReportBook.RECONCILIATION_NOTE)
        s.table("tbl_reconciliation", self.data.reconciliation, repeat=True)
        return s

    def _sources(self) -> Sheet:
        s = self.sheet(SOURCES_SHEET, ReportBook.SOURCES)
        s.bulk("tbl_sources", self.data.sources)
        return s

    def _source_rows(self) -> Sheet:
        s = self.sheet(SOURCE_ROWS_SHEET, ReportBook.SOURCE_ROWS, landscape=False)
        s.bulk("tbl_source_rows", self.data.source_rows)
        return s

    def _data(self, form: FormData, name: str) -> Sheet:
        s = self.sheet(name, ReportBook.DATA.format(title=form.title))
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
