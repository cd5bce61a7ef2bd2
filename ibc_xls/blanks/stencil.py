"""Many blanks from one: the workbook of a kind of respondent built once, with stand-ins for
who they are, and each respondent's workbook made from it with their own values put in.

xlsxwriter takes about 30 ms for a blank (some 1,400 cells, each a Python call and an XML
element, the choice lists, the validations, the zip). Respondents of one kind — the same role
and forms, texts that wrap to the same row heights — get workbooks that differ only in who they
are: their id, name and class, in a few shared strings (the identity sheet, the subtitles, the
instruction «Кто заполняет», the class filled in down a column) and in the document properties.
``Stencils`` builds each kind's workbook once, with private-use stand-ins for those three
values, and makes a respondent's workbook by replacing the stand-ins in the text of its parts
(escaped as xlsxwriter escapes element text) and zipping the parts again: a few milliseconds.

Nothing of xlsxwriter is used but ``build``'s bytes: the stand-ins are ordinary text to it. A
value that xlsxwriter would escape in any other way (control characters, a literal ``_xHHHH_``,
leading or trailing spaces that need ``xml:space``), a quotation mark or a private-use
character is not stencilled: that respondent's workbook is built whole. One difference from a
whole build remains, and it means the same: a respondent's value that equals another text of the
workbook (their class in the list of classes) is a shared string of its own, not the same one
(Excel itself saves such duplicates; ``uniqueCount`` stays the number of strings listed).
``tests/test_stencil.py`` compares every part, cell by cell and string by string, with the
whole build for the same respondent.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Hashable, Mapping

from ibc_xls.forms.identity import template_version
from ibc_xls.settings.respondents import Respondent

# Private-use characters: no spec or setting has them (a value with one is not stencilled).
STAND_INS = {"id": "\ue000\ue001\ue000", "name": "\ue000\ue002\ue000",
             "class_name": "\ue000\ue003\ue000"}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\ue000-\uf8ff\ufffe\uffff]|_x[0-9a-fA-F]{4}_')


def stencillable(value: str) -> bool:
    """Whether xlsxwriter writes ``value`` as element text with nothing but ``&``, ``<`` and
    ``>`` escaped, wherever it stands in a string."""
    return value == value.strip() and not _UNSAFE.search(value)


def _escaped(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Stencil:
    """A kind's workbook: its zip entries, each as bytes, or as text where a stand-in is.
    ``tokens``: each value's stand-in (by default a respondent's, ``STAND_INS``)."""

    def __init__(self, data: bytes, tokens: Mapping[str, str] = STAND_INS):
        self.tokens = tokens
        self.parts: list[tuple[zipfile.ZipInfo, bytes | str]] = []
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            for info in src.infolist():
                content = src.read(info)
                text = content.decode("utf-8", "surrogateescape")
                if any(token in text for token in tokens.values()):
                    content = text
                self.parts.append((info, content))

    def fill(self, values: Mapping[str, str],
             edits: Mapping[str, Callable[[str], str]] | None = None,
             compresslevel: int | None = None) -> bytes:
        """The workbook with each stand-in replaced by its value, and each part named in
        ``edits`` (its text, stand-ins replaced) changed by its function. ``compresslevel``:
        zlib's (default 6, as xlsxwriter)."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info, content in self.parts:
                edit = edits.get(info.filename) if edits else None
                if isinstance(content, str) or edit is not None:
                    if not isinstance(content, str):
                        content = content.decode("utf-8", "surrogateescape")
                    for field, token in self.tokens.items():
                        if token in content:
                            content = content.replace(token, _escaped(values[field]))
                    if edit is not None:
                        content = edit(content)
                    content = content.encode("utf-8", "surrogateescape")
                entry = zipfile.ZipInfo(info.filename, info.date_time)
                entry.compress_type = info.compress_type
                entry.external_attr = info.external_attr
                entry.create_system = info.create_system
                dst.writestr(entry, content, compresslevel=compresslevel)
        return out.getvalue()


class Stencils:
    """The workbooks of one run of ``generate`` (one configuration, one creation date).

    ``build(respondent, measured)`` is the whole build: ``measured`` is the respondent whose
    texts set the row heights (the stand-in's texts are not theirs)."""

    def __init__(self, build: Callable[[Respondent, Respondent | None], bytes]):
        self.build = build
        self.kinds: dict[Hashable, Stencil] = {}

    def blank(self, person: Respondent, layout: Hashable) -> bytes:
        """``person``'s workbook. ``layout``: whatever of their texts sets sizes in the
        workbook (the lines their texts wrap to); respondents of one role, forms and layout
        share a stencil."""
        values = {field: getattr(person, field) for field in STAND_INS}
        if not all(map(stencillable, values.values())):
            return self.build(person, None)
        # An empty value stays empty in the stencil: a label without a class reads differently.
        key = (person.role, template_version(person.forms), tuple(f.sheet for f in person.forms),
               tuple(bool(v) for v in values.values()), layout)
        stencil = self.kinds.get(key)
        if stencil is None:
            stand_in = Respondent(**{field: STAND_INS[field] if values[field] else ""
                                     for field in STAND_INS},
                                  role=person.role, forms=person.forms)
            stencil = self.kinds[key] = Stencil(self.build(stand_in, person))
        return stencil.fill(values)
