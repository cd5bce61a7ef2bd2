"""The parts of an .xlsx file that xlsxwriter wrote, for the writers that finish a workbook
after it closed (``tablewriter``, ``ibc_xls.review.stencil``): where a sheet's part is, and a
shared string escaped as xlsxwriter escapes it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
SHARED_STRINGS = "xl/sharedStrings.xml"

_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


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
