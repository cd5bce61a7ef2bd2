"""The parts of an .xlsx file that xlsxwriter wrote, for the writers that finish a workbook
after it closed (``tablewriter``, ``ibc_xls.review.stencil``): where a sheet's part is, and a
shared string escaped as xlsxwriter escapes it."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import xlsxwriter

from ibc_xls.cells import column_number

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
SHARED_STRINGS = "xl/sharedStrings.xml"

# Elements and attributes are found by name, whatever order the attributes come in.
ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.DOTALL)
CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.DOTALL)

# The xlsxwriter versions that the writers finishing its workbooks are used with (from, to:
# the first not tested): tests/test_tablewriter.py and tests/test_review_stencil.py passed
# with 3.1.9, 3.2.0, 3.2.9, 3.3.0 and 3.3.1; setup.cfg pins the same range (3.1.0 cannot
# write the report's custom totals).
TESTED_XLSXWRITER = ((3, 1, 9), (3, 4, 0))

# Text that xlsxwriter writes some other way than with ``&``, ``<`` and ``>`` escaped.
ODD_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_NEEDS_ESCAPE = re.compile(rf"[&<>]|{ODD_TEXT.pattern}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


def fast_supported(version: str = xlsxwriter.__version__) -> bool:
    """Whether finishing a workbook after it closed was tested with this xlsxwriter version."""
    try:
        found = tuple(int(part) for part in version.split(".")[:3])
    except ValueError:
        return False
    return TESTED_XLSXWRITER[0] <= found < TESTED_XLSXWRITER[1]



_EXCEL_EPOCH = dt.datetime(1899, 12, 31)
_FIRST_SERIAL_DAY = dt.date(1900, 3, 1)  # before it Excel's serials are off by its 1900 leap


def serial(value: dt.date) -> float | None:
    """A date or date-time as the serial number xlsxwriter writes for it (1900 date system,
    computed as xlsxwriter does), or None before 1 March 1900 or with a time zone: such
    values are written as ISO text."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None or value.date() < _FIRST_SERIAL_DAY:
            return None
        delta = value - _EXCEL_EPOCH
    else:
        if value < _FIRST_SERIAL_DAY:
            return None
        delta = dt.datetime.fromordinal(value.toordinal()) - _EXCEL_EPOCH
    return delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400 + 1


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found[1] if found else None


def set_attribute(tag: str, name: str, value: str) -> str:
    """A start tag with its attribute ``name`` set to ``value`` (added if missing)."""
    pattern = rf'(\s{name}=")[^"]*(")'
    if re.search(pattern, tag):
        return re.sub(pattern, lambda m: f"{m[1]}{value}{m[2]}", tag, count=1)
    end = -2 if tag.endswith("/>") else -1
    return f'{tag[:end]} {name}="{value}"{tag[end:]}'


def drop_attribute(tag: str, name: str) -> str:
    return re.sub(rf'\s{name}="[^"]*"', "", tag, count=1)


def start_tag(xml: str, element: str) -> re.Match:
    found = re.search(rf"<{element}\b[^>]*>", xml)
    if not found:
        raise ValueError(f"no <{element}> in the part xlsxwriter wrote")
    return found


def replace_start_tag(xml: str, element: str, change) -> str:
    found = start_tag(xml, element)
    return xml[:found.start()] + change(found[0]) + xml[found.end():]


def split_rows(xml: str) -> tuple[str, dict[int, str], str]:
    """A sheet's XML as the part up to its rows, each ``<row>`` by its number (1-based) and
    the part after them."""
    start = start_tag(xml, "sheetData")
    if start[0].endswith("/>"):
        return xml[:start.start()] + "<sheetData>", {}, "</sheetData>" + xml[start.end():]
    end = xml.index("</sheetData>", start.end())
    rows = {int(attribute(m[0][:m[0].index(">") + 1], "r")): m[0]
            for m in ROW.finditer(xml, start.end(), end)}
    return xml[:start.end()], rows, xml[end:]


def row_styles(row: str) -> dict[int, int]:
    """A ``<row>``'s cells: zero-based column → style number."""
    found = {}
    for cell in CELL.finditer(row):
        tag = cell[0][:cell[0].index(">") + 1]
        letters = attribute(tag, "r").rstrip("0123456789")
        found[column_number(letters) - 1] = int(attribute(tag, "s") or 0)
    return found


def sheet_parts(read: Callable[[str], bytes]) -> dict[str, str]:
    """Sheet name → the path of its XML part; ``read`` gives a part's bytes by its path."""
    book = ET.fromstring(read("xl/workbook.xml"))
    rels = ET.fromstring(read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
    rid = f"{{{NS['r']}}}id"
    parts = {}
    for sheet in book.iterfind("m:sheets/m:sheet", NS):
        target = targets[sheet.get(rid)]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") \
            else f"xl/{target}"
    return parts


def escape_text(text: str) -> str:
    """Element text as xlsxwriter escapes a shared string: a literal ``_xHHHH_`` protected
    by an escaped underscore, control characters and non-characters as ``_xHHHH_``, XML
    entities."""
    if _NEEDS_ESCAPE.search(text):
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def string_item(text: str) -> str:
    """A shared string's ``<si>``, as xlsxwriter writes it."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f"<si><t{space}>{escape_text(text)}</t></si>"
