"""The parts of an .xlsx file that xlsxwriter wrote, for the writers that finish a workbook
after it closed (``tablewriter``, ``ibc_xls.review.stencil``): where a sheet's part is, and a
shared string escaped as xlsxwriter escapes it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from xlsxwriter.utility import xl_cell_to_rowcol

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
SHARED_STRINGS = "xl/sharedStrings.xml"

# Elements and attributes are found by name, whatever order the attributes come in.
ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.DOTALL)
CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.DOTALL)

_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


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
        found[xl_cell_to_rowcol(attribute(tag, "r"))[1]] = int(attribute(tag, "s") or 0)
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
