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
from ibc_xls.sheets.sheet import Sheet
from ibc_xls.sheets.xlsx import Checked

TITLE_SHEET = "Титульный лист"
SCHOOLS_SHEET = "Показатели по школам"
REPORTS_SHEET = "Сдача отчётов"
FILES_SHEET = "Файлы"
PROBLEMS_SHEET = "Замечания"
DYNAMICS_PREFIX = "Динамика — "
DATA_PREFIX = "Данные — "
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
        office = footer_field(rolled.office.name)
        period = footer_field(rolled.period_label or "период не указан")
        super().__init__(f"&L{office}, {period}&RСтр. &P из &N")
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
            "title": f"Сводка отчётов ИБЦ: {r.office.name}, {r.period_label}",
            "author": "ibc-xls", "company": r.office.name, "created": self.created,
            "comments": "Сводка отчётов информационно-библиотечных центров школ. "
                        "Создано ibc-xls."})
        for name, value in self.identity().items():
            self.wb.set_custom_property(PROPERTY_PREFIX + name, value, "text")
        own = {TITLE_SHEET, SCHOOLS_SHEET, REPORTS_SHEET, FILES_SHEET, PROBLEMS_SHEET,
               IDENTITY_SHEET}
        section_names = _names([s.sheet for s in r.sections], own)
        dynamics_names = _names([DYNAMICS_PREFIX + label for label, _ in r.dynamics],
                                own | set(section_names))
        data_names = _names([DATA_PREFIX + sheet for _, sheet, _ in r.data],
                            own | set(section_names) | set(dynamics_names))
        contents = [(SCHOOLS_SHEET, "ключевые показатели каждой школы")]
        contents += [(n, "по школам, диаграмма" if s.by_school is not None and s.series
                      else "все школы вместе") for n, s in zip(section_names, r.sections,
                                                                strict=True)]
        contents += [(REPORTS_SHEET, "какие школы сдали отчёт и когда, какие нет"),
                     (FILES_SHEET, "все файлы в папке полученных отчётов: учтён или почему нет"),
                     (PROBLEMS_SHEET, "что не так с отчётами: файл, лист, ячейка")]
        contents += [(n, "по школам и периодам, диаграмма") for n in dynamics_names]
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
        s = self.sheet(TITLE_SHEET, "Сводка отчётов информационно-библиотечных центров школ",
                        landscape=False)
        s.heading(r.office.name)
        s.text(f"Период: {r.period_label or 'не указан: нет ни одного отчёта'}")
        sent = len(r.used)
        s.text(f"Школ в списке: {len(r.office.schools)}; сдали отчёт: {sent}; не сдали: "
               f"{len(r.missing)}.")
        if r.missing:
            s.text("Не сдали отчёт: " + "; ".join(m.short for m in r.missing) + ".")
        s.text(f"Дата составления: {self.created:%d.%m.%Y}")
        s.note("Итоги — суммы показателей титульных листов отчётов школ. Отчёт, цифры которого "
               "не сходятся с его же таблицами (изменён вручную), в итоги не входит: он отмечен "
               f"на листах «{SCHOOLS_SHEET}» и «{REPORTS_SHEET}».")
        s.gap()
        s.heading("Основные показатели")
        s.table("tbl_key_figures", r.figures)
        s.heading("Содержание")
        for sheet, what in contents:
            s.ws.write_url(s.row, 0, f"internal:'{sheet}'!A1", fmt.link, sheet)
            s.ws.write_string(s.row, 1, what, fmt.plain)
            s.row += 1
        s.note("Листы «Данные — …»: строки форм всех учтённых школ со столбцом «Школа» — для "
               "своих сводных таблиц и фильтров.")
        s.gap()
        return s

    def _schools(self) -> Sheet:
        r = self.rolled
        s = self.sheet(SCHOOLS_SHEET, "Основные показатели по школам")
        s.note("Показатели титульных листов отчётов. Выделенная школа не учтена в итогах: "
               f"цифры её отчёта не сходятся с его таблицами (см. лист «{PROBLEMS_SHEET}»).")
        s.table("tbl_school_figures", r.school_figures, marked=r.flagged, repeat=True)
        return s

    def _section(self, section: Section, name: str) -> Sheet:
        s = self.sheet(name, f"{section.sheet}: все школы")
        s.note("Только учтённые школы; их таблицы сложены или упорядочены заново по тем же "
               "правилам, что в отчётах школ.")
        table = section.name
        if section.by_school is not None:
            s.heading("По школам")
            rows = section.by_school.rows
            chart = bool(section.series) and rows > 0
            height = max(8, min(18, 4 + min(rows, CHART_SCHOOLS)))
            anchor = s.reserve(height) if chart else None
            header, _ = s.table(f"{table}_by_school", section.by_school, repeat=True)
            if anchor is not None:
                s.charts(anchor, [self.bars(
                    s, "bar", f"{section.sheet}: по школам", header, section.by_school,
                    list(section.series), stacked=section.stacked,
                    rows=min(rows, CHART_SCHOOLS))], height)
        if section.by_category is not None:
            s.heading("Все школы вместе")
            s.table(f"{table}_total", section.by_category)
        if section.rows is not None:
            s.heading("Строки отчётов школ")
            s.bulk(f"{table}_schools", section.rows)
        return s

    def _reports(self) -> Sheet:
        s = self.sheet(REPORTS_SHEET, "Какие школы сдали отчёт")
        s.bulk("tbl_reports", self.rolled.reports,
               mark=("Статус", (STATUS_MISSING, STATUS_FLAGGED)))
        return s

    def _files(self) -> Sheet:
        s = self.sheet(FILES_SHEET, "Файлы в папке полученных отчётов")
        s.note("Учтён: отчёт вошёл в сводку. Остальные файлы не учтены, причина — в столбце "
               "«Причина».")
        s.bulk("tbl_files", self.rolled.files)
        return s

    def _problems_sheet(self) -> Sheet:
        s = self.sheet(PROBLEMS_SHEET, "Замечания по отчётам")
        s.bulk("tbl_problems", self.rolled.problems, mark=("Важность", ("ошибка",)))
        return s

    def _dynamics(self, label: str, table, name: str) -> Sheet:
        s = self.sheet(name, f"{label}: по периодам")
        s.note("Одна строка — школа, один столбец — период (по отчётам в папке полученных). "
               "Пусто: за этот период отчёта школы нет или он не учтён.")
        periods = [c for c in table.frame.columns if c != SCHOOL]
        rows = min(table.rows, CHART_SCHOOLS)
        anchor = s.reserve() if rows and periods else None
        header, _ = s.table(f"tbl_dynamics_{len(self.placed) + 1}", table, repeat=True)
        if anchor is not None:
            s.charts(anchor, [self.bars(s, "column", label, header, table, periods,
                                         rows=rows)])
        return s

    def _data_sheet(self, form: str, table, name: str) -> Sheet:
        s = self.sheet(name, f"{name}: все учтённые школы")
        s.bulk(f"tbl_data_{form}", table)
        return s

    def _summary_identity(self) -> None:
        ws = Checked(self.raw.add_worksheet(IDENTITY_SHEET))
        ws.write_string(0, 0, "Поле", self.fmt.bold)
        ws.write_string(0, 2, "Значение", self.fmt.bold)
        for row, (name, value) in enumerate(self.identity().items(), start=1):
            ws.write_string(row, 0, name)
            ws.write_string(row, 2, value)
        ws.set_column(0, 2, 24)
        ws.hide()
        ws.protect()
