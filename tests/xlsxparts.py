"""Reading a written .xlsx file's parts as text, for the tests that compare two workbooks part
by part (``test_stencil``, ``test_review_stencil``)."""

from __future__ import annotations

import io
import re
import zipfile

# A cell: its attributes, and what is inside it (None for an empty element, ``<c …/>``).
CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
SHARED_STRINGS = "xl/sharedStrings.xml"


def attribute(attributes: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', attributes)
    return found[1] if found else None


def parts(data: bytes) -> dict[str, str]:
    """Every part of the workbook, by its path, in the order of the zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info).decode("utf-8") for info in z.infolist()}
