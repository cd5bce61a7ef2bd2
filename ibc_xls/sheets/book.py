"""A workbook built of sheets laid out from the top down (``sheets.sheet.Sheet``): the report
and the office's summary. It holds the xlsxwriter workbook, the formats, the writer of large
tables (which closes the workbook), where each named table stands, the page footer, and makes
the bar and column charts."""

from __future__ import annotations

import io
import math
from pathlib import Path

import xlsxwriter

from ibc_xls.sheets.formats import FONT, ReportFormats, workbook_options
from ibc_xls.sheets.sheet import CUT_NOTE, Placed, Sheet, Table
from ibc_xls.sheets.tablewriter import TableWriter
from ibc_xls.sheets.xlsx import Checked

PALETTE = ("#A6A6A6", "#5B9BD5", "#70AD47", "#FFC000", "#C00000", "#D9D9D9", "#7030A0",
           "#264478")


def footer_field(text: str) -> str:
    """A text shown in a page footer as it is (a single «&» starts a footer code)."""
    return text.replace("&", "&&")


class SheetBook:
    """The base of the report and of the office's summary: ``sheet`` adds a sheet with its
    title, ``bars`` makes a chart of a table just written, ``close`` writes the file."""

    def __init__(self, footer: str):
        self.buffer = io.BytesIO()
        self.raw = xlsxwriter.Workbook(self.buffer, workbook_options())
        self.wb = Checked(self.raw)
        self.fmt = ReportFormats(self.raw)
        self.tables = TableWriter(self.raw, self.buffer, CUT_NOTE)  # closes the workbook
        self.placed: dict[str, Placed] = {}
        self.footer = footer

    def sheet(self, name: str, title: str, landscape: bool = True) -> Sheet:
        """A new sheet, its title on the first line."""
        sheet = Sheet(self, name, landscape)
        sheet.title(title)
        return sheet

    def close(self, target) -> None:
        """Close the workbook into ``target``: a path or a binary file object."""
        if isinstance(target, str | Path):
            with open(target, "wb") as out:
                self.tables.close(out)
        else:
            self.tables.close(target)

    def bars(self, s: Sheet, kind: str, title: str, header: int, table: Table,
             series: list[str], stacked: bool = False, categories: int = 0, first: int = 0,
             rows: int | None = None, categories_to: int | None = None):
        """A bar or column chart of ``series`` (headers) over rows of a table just written;
        its bars are named by column ``categories`` (through ``categories_to``: names of
        several levels, like a school and its class)."""
        columns = list(table.frame.columns)
        count = table.rows - first if rows is None else rows
        r0, r1 = header + 1 + first, header + first + count
        options = {"type": kind} | ({"subtype": "stacked"} if stacked else {})
        chart = Checked(self.raw.add_chart(options))
        for i, name in enumerate(series):
            col = columns.index(name)
            chart.add_series({
                "name": [s.name, header, col],
                "categories": [s.name, r0, categories, r1,
                               categories if categories_to is None else categories_to],
                "values": [s.name, r0, col, r1, col],
                "fill": {"color": PALETTE[i % len(PALETTE)] if len(series) > 1 else PALETTE[1]},
                "border": {"none": True}, "gap": 60,
                **({"data_labels": {"value": True, "font": {"name": FONT}}}
                   if len(series) == 1 else {}),
            })
        chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12, "bold": True}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT}} if len(series) > 1
                         else {"none": True})
        values = table.frame[series].iloc[first:first + count].to_numpy(dtype=float)
        value_axis = {"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                      "num_font": {"name": FONT, "size": 9}, "min": 0}
        if values.size and (values == values.round()).all():
            top = values.sum(axis=1).max() if stacked else values.max()
            value_axis |= {"major_unit": max(1, math.ceil(top / 8)), "num_format": "0"}
        category_axis = {"num_font": {"name": FONT, "size": 9}}
        if kind == "bar":
            chart.set_x_axis(value_axis)
            chart.set_y_axis({**category_axis, "reverse": True})
        else:
            chart.set_y_axis(value_axis)
            chart.set_x_axis(category_axis)
        return chart.target
