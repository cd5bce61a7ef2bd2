"""The report's sheets in order, as one list: each with what it shows (the title sheet's
contents lists them) and the function that writes it (``report.writers``). The hidden
«Паспорт» comes last, written by ``report.workbook``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ibc_xls.forms.summaries import (
    PROBLEMS_SHEET,
    RECONCILIATION_SHEET,
    SOURCE_ROWS_SHEET,
    SOURCES_SHEET,
    SUBMISSIONS_SHEET,
    TITLE_SHEET,
)
from ibc_xls.report import writers
from ibc_xls.report.consolidate import Consolidated
from ibc_xls.text import ReportBook


@dataclass(frozen=True)
class Page:
    """A sheet of the report: its name, what it shows, whether the contents list it (not the
    raw data sheets, one per form, which the contents name together), and its writer."""

    sheet: str
    about: str
    write: Callable  # (the report's workbook, the sheet's name) → the sheet written
    listed: bool = True


def pages(data: Consolidated) -> list[Page]:
    """Every sheet of the report in order: the title, the summaries the forms declare, the
    sheets of what was handed in, then the raw data of each form."""
    own = [Page(TITLE_SHEET, ReportBook.ABOUT_TITLE, writers.title)]
    own += [Page(s.summary.sheet, s.summary.about, partial(writers.summary, shown=s))
            for s in data.summaries]
    own += [
        Page(SUBMISSIONS_SHEET, ReportBook.ABOUT_SUBMISSIONS, writers.submissions),
        Page(PROBLEMS_SHEET, ReportBook.ABOUT_PROBLEMS, writers.problems),
        Page(RECONCILIATION_SHEET, ReportBook.ABOUT_RECONCILIATION, writers.reconciliation),
        Page(SOURCES_SHEET, ReportBook.ABOUT_SOURCES, writers.sources),
        Page(SOURCE_ROWS_SHEET, ReportBook.ABOUT_SOURCE_ROWS, writers.source_rows),
    ]
    forms = list(data.data.values())
    names = _data_sheet_names([f.sheet for f in forms])
    return own + [Page(name, "", partial(writers.data, form=form), listed=False)
                  for form, name in zip(forms, names, strict=True)]


def contents(data: Consolidated) -> list[tuple[str, str]]:
    """The sheets the title sheet lists, in order (not «Данные — …» and «Паспорт»), and what
    each shows."""
    return listed(pages(data))


def listed(all_pages: list[Page]) -> list[tuple[str, str]]:
    """The sheets of ``all_pages`` that the title sheet lists, and what each shows."""
    return [(p.sheet, p.about) for p in all_pages if p.listed]


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
