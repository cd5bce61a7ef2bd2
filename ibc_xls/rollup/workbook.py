"""The office's summary workbook: writes what ``combine`` computed, and computes nothing.

It is built with the school report's sheet builder (``ibc_xls.sheets.book``): the same formats,
named tables, A4 print setup, native charts and streamed large tables, so the office's summary
looks and prints like the reports it combines.
"""

from __future__ import annotations

import datetime as dt

from ibc_xls import __version__
from ibc_xls.checking.check import gc_paused
from ibc_xls.forms.identity import IDENTITY_SHEET, PROPERTY_PREFIX, REPORT_FORMAT
from ibc_xls.rollup.combine import (
    SCHOOL,
    STATUS_FLAGGED,
    STATUS_MISSING,
    Rolled,
    Section,
)
from ibc_xls.rollup.readreport import SUMMARY_KIND
from ibc_xls.sheets.book import SheetBook, footer_field
from ibc_xls.sheets.sheet import CHART_ROWS, Sheet
from ibc_xls.sheets.xlsx import Checked
from ibc_xls.text import Report, ReportBook, Rollup

TITLE_SHEET = Rollup.TITLE_SHEET
SCHOOLS_SHEET = Rollup.SCHOOLS_SHEET
REPORTS_SHEET = Rollup.REPORTS_SHEET
FILES_SHEET = Rollup.FILES_SHEET
PROBLEMS_SHEET = Rollup.PROBLEMS_SHEET
CHART_SCHOOLS = 30  # schools a chart shows at most; the table holds them all


def write_summary(rolled: Rolled, target, created: dt.datetime) -> None:
    """Write the summary workbook to ``target`` (a binary file object)."""
    with gc_paused():
        book = _SummaryBook(rolled, created)
        book.write()
        book.close(target)


def _names(wanted: list[str], taken: set[str]) -> list[str]:
    """Sheet names cut to Excel's 31 characters and distinct, case aside."""
    seen = {t.casefold() for t in taken}
    names = []
    for name in wanted:
        candidate, n = name[:31], 2
        while candidate.casefold() in seen:
            suffix = f" ({n})"
            candidate, n = name[:31 - len(suffix)] + suffix, n + 1
        seen.add(candidate.casefold())
        names.append(candidate)
    return names


class _SummaryBook(SheetBook):
    """The summary as xlsxwriter builds it, with the report's sheets, formats and charts."""

    def __init__(self, rolled: Rolled, created: dt.datetime):
        super().__init__(Rollup.FOOTER.format(
            office=footer_field(rolled.office.name),
            period=footer_field(rolled.period_label or Rollup.NO_PERIOD)))
        self.rolled = rolled
        self.created = created

    def identity(self) -> dict[str, str]:
        return {"kind": SUMMARY_KIND, "format": REPORT_FORMAT, "office": self.rolled.office.name,
                "period": self.rolled.period, "period_label": self.rolled.period_label,
                "generator": f"ibc-xls {__version__}",
                "created": self.created.isoformat(timespec="seconds")}

    def write(self) -> None:
        r = self.rolled
        self.wb.set_properties({
            "title": Rollup.PROPERTY_TITLE.format(office=r.office.name, period=r.period_label),
            "author": "ibc-xls", "company": r.office.name, "created": self.created,
            "comments": Rollup.PROPERTY_COMMENTS})
        for name, value in self.identity().items():
            self.wb.set_custom_property(PROPERTY_PREFIX + name, value, "text")
        own = {TITLE_SHEET, SCHOOLS_SHEET, REPORTS_SHEET, FILES_SHEET, PROBLEMS_SHEET,
               IDENTITY_SHEET}
        section_names = _names([s.sheet for s in r.sections], own)
        dynamics_names = _names([Rollup.DYNAMICS_SHEET.format(figure=label)
                                 for label, _ in r.dynamics],
                                own | set(section_names))
        data_names = _names([ReportBook.DATA_SHEET.format(sheet=sheet) for _, sheet, _ in r.data],
                            own | set(section_names) | set(dynamics_names))
        contents = [(SCHOOLS_SHEET, Rollup.ABOUT_SCHOOLS)]
        contents += [(n, Rollup.ABOUT_SECTION_CHART if s.by_school is not None and s.series
                      else Rollup.ABOUT_SECTION) for n, s in zip(section_names, r.sections,
                                                                 strict=True)]
        contents += [(REPORTS_SHEET, Rollup.ABOUT_REPORTS), (FILES_SHEET, Rollup.ABOUT_FILES),
                     (PROBLEMS_SHEET, Rollup.ABOUT_PROBLEMS)]
        contents += [(n, Rollup.ABOUT_DYNAMICS) for n in dynamics_names]
        sheets = [self._title_sheet(contents), self._schools()]
        sheets += [self._section(s, n) for s, n in zip(r.sections, section_names, strict=True)]
        sheets += [self._reports(), self._files(), self._problems_sheet()]
        sheets += [self._dynamics(label, table, n)
                   for (label, table), n in zip(r.dynamics, dynamics_names, strict=True)]
        sheets += [self._data_sheet(form, table, n)
                   for (form, _, table), n in zip(r.data, data_names, strict=True)]
        for sheet in sheets:
            sheet.finish()
        self._summary_identity()

    def _title_sheet(self, contents: list[tuple[str, str]]) -> Sheet:
        r, fmt = self.rolled, self.fmt
        s = self.sheet(TITLE_SHEET, Rollup.TITLE, landscape=False)
        s.heading(r.office.name)
        s.text(Rollup.PERIOD_LINE.format(label=r.period_label or Rollup.NO_REPORT_PERIOD))
        s.text(Rollup.SCHOOLS_LINE.format(listed=len(r.office.schools), sent=len(r.used),
                                          missing=len(r.missing)))
        if r.missing:
            s.text(Rollup.MISSING_LINE.format(schools="; ".join(m.short for m in r.missing)))
        s.text(Rollup.CREATED_LINE.format(created=self.created))
        s.note(Rollup.TITLE_NOTE.format(schools_sheet=SCHOOLS_SHEET,
                                        reports_sheet=REPORTS_SHEET))
        s.gap()
        s.heading(Rollup.KEY_FIGURES)
        s.table("tbl_key_figures", r.figures)
        s.heading(Rollup.CONTENTS)
        for sheet, what in contents:
            s.ws.write_url(s.row, 0, f"internal:'{sheet}'!A1", fmt.link, sheet)
            s.ws.write_string(s.row, 1, what, fmt.plain)
            s.row += 1
        s.note(Rollup.DATA_SHEETS_NOTE.format(school=SCHOOL))
        s.gap()
        return s

    def _schools(self) -> Sheet:
        r = self.rolled
        s = self.sheet(SCHOOLS_SHEET, Rollup.SCHOOLS_TITLE)
        s.note(Rollup.SCHOOLS_NOTE.format(problems_sheet=PROBLEMS_SHEET))
        s.table("tbl_school_figures", r.school_figures, marked=r.flagged, repeat=True)
        return s

    def _section(self, section: Section, name: str) -> Sheet:
        s = self.sheet(name, Rollup.SECTION_TITLE.format(sheet=section.sheet))
        s.note(Rollup.SECTION_NOTE)
        table = section.name
        if section.by_school is not None:
            s.heading(Rollup.BY_SCHOOL)
            rows = section.by_school.rows
            chart = bool(section.series) and rows > 0
            height = max(8, min(18, 4 + min(rows, CHART_SCHOOLS)))
            anchor = s.reserve(height) if chart else None
            header, _ = s.table(f"{table}_by_school", section.by_school, repeat=True)
            if anchor is not None:
                s.charts(anchor, [self.bars(
                    s, "bar", Rollup.BY_SCHOOL_CHART.format(sheet=section.sheet), header,
                    section.by_school,
                    list(section.series), stacked=section.stacked,
                    rows=min(rows, CHART_SCHOOLS))], height)
        if section.by_category is not None:
            s.heading(Rollup.ALL_TOGETHER)
            s.table(f"{table}_total", section.by_category)
        if section.rows is not None:
            per_chart = max((count for _, _, count in section.row_charts), default=0)
            height = max(8, min(CHART_ROWS, 4 + per_chart))
            anchor = s.reserve(height) if section.row_charts else None
            s.heading(Rollup.SCHOOL_ROWS)
            header = s.row
            s.bulk(f"{table}_schools", section.rows)
            if anchor is not None:
                first, last = section.row_names
                s.charts(anchor, [
                    self.bars(s, section.row_chart, title, header, section.rows,
                              [section.row_series], categories=first, categories_to=last,
                              first=start, rows=count)
                    for title, start, count in section.row_charts], height)
        return s

    def _reports(self) -> Sheet:
        s = self.sheet(REPORTS_SHEET, Rollup.REPORTS_TITLE)
        s.bulk("tbl_reports", self.rolled.reports,
               mark=(Rollup.STATUS, (STATUS_MISSING, STATUS_FLAGGED)))
        return s

    def _files(self) -> Sheet:
        s = self.sheet(FILES_SHEET, Rollup.FILES_TITLE)
        s.note(Rollup.FILES_NOTE.format(reason=Rollup.REASON))
        s.bulk("tbl_files", self.rolled.files)
        return s

    def _problems_sheet(self) -> Sheet:
        s = self.sheet(PROBLEMS_SHEET, Rollup.PROBLEMS_TITLE)
        s.bulk("tbl_problems", self.rolled.problems, mark=(Report.SEVERITY, (Report.ERROR,)))
        return s

    def _dynamics(self, label: str, table, name: str) -> Sheet:
        s = self.sheet(name, Rollup.DYNAMICS_TITLE.format(figure=label))
        s.note(Rollup.DYNAMICS_NOTE)
        periods = [c for c in table.frame.columns if c != SCHOOL]
        rows = min(table.rows, CHART_SCHOOLS)
        anchor = s.reserve() if rows and periods else None
        header, _ = s.table(f"tbl_dynamics_{len(self.placed) + 1}", table, repeat=True)
        if anchor is not None:
            s.charts(anchor, [self.bars(s, "column", label, header, table, periods,
                                         rows=rows)])
        return s

    def _data_sheet(self, form: str, table, name: str) -> Sheet:
        s = self.sheet(name, Rollup.DATA_TITLE.format(sheet=name))
        s.bulk(f"tbl_data_{form}", table)
        return s

    def _summary_identity(self) -> None:
        ws = Checked(self.raw.add_worksheet(IDENTITY_SHEET))
        ws.write_string(0, 0, Rollup.IDENTITY_FIELD, self.fmt.bold)
        ws.write_string(0, 2, Rollup.IDENTITY_VALUE, self.fmt.bold)
        for row, (name, value) in enumerate(self.identity().items(), start=1):
            ws.write_string(row, 0, name)
            ws.write_string(row, 2, value)
        ws.set_column(0, 2, 24)
        ws.hide()
        ws.protect()
