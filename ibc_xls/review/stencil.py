"""Copies for correction made from a stencil of their kind, a few milliseconds each.

A copy is its respondent's blank with a first sheet «Что исправить», their values in their
cells and the cells with problems marked. xlsxwriter takes about 40 ms to build one whole
(``copies.make_copy``): most of it the cells of the form sheets, which are the same in every
copy but for the rows the respondent filled in. So each kind of copy — one kind of respondent
(as for blanks, ``ibc_xls.blanks.stencil``), the same texts' line counts on the first sheet,
the same sheets with marks — is built whole once, with stand-ins for who the respondent is,
the returned file's name and the counts of problems, and with probes: the first two data rows
of each sheet with marks marked as errors and as warnings, and two lines in the list of
problems (an error with a link, a warning without). A copy is then that stencil with:

* the form sheets' rows that hold values or marks (and the probe rows) written anew, each
  cell in the style xlsxwriter gave the same kind of cell of the probes (``data_row`` says
  what each cell holds, for a whole build and here alike);
* the list of problems written anew in place of the probe lines, their links and the print
  area of the first sheet over them;
* the comments of each sheet with marks written anew (``ibc_xls.sheets.notes``);
* the new texts added to the shared strings.

Where a copy is anything but plain — longer than its blank, a text that xlsxwriter would
escape its own way, a date it would not write as a number, an xlsxwriter version this was not
tested with — it is built whole. ``tests/test_review_stencil.py`` compares each part of a
stencilled copy with the whole build of the same copy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Hashable
from functools import partial
from io import BytesIO
from xml.sax.saxutils import escape

from ibc_xls.blanks.generate import (
    Filling,
    Mark,
    build,
    comment_options,
    data_row,
    form_widths,
    layout,
    respondent_defaults,
    shown,
)
from ibc_xls.blanks.stencil import STAND_INS, Stencil, stencillable
from ibc_xls.cells import column_letter
from ibc_xls.forms.identity import template_version
from ibc_xls.forms.layout import FIRST_DATA_ROW, REVIEW_SHEET
from ibc_xls.forms.spec import FormSpec
from ibc_xls.review.front import (
    PROBE_ITEMS,
    Front,
    Item,
    front_layout,
    front_sheet,
    item_link,
    item_row,
)
from ibc_xls.settings.config import Config
from ibc_xls.settings.respondents import Respondent
from ibc_xls.sheets.measure import LINE_PT, column_px
from ibc_xls.sheets.notes import DEFAULT_ROW_PX, CommentsPart, Note, VmlPart
from ibc_xls.sheets.parts import (
    NS,
    ODD_TEXT,
    SHARED_STRINGS,
    attribute,
    drop_attribute,
    fast_supported,
    replace_start_tag,
    row_styles,
    serial,
    set_attribute,
    sheet_parts,
    split_rows,
    string_item,
)
from ibc_xls.text import Review

# The first sheet's own stand-ins, beside the respondent's (private-use, like theirs).
FRONT_STAND_INS = {"original": "\ue000\ue004\ue000", "errors": "\ue000\ue005\ue000",
                   "warnings": "\ue000\ue006\ue000"}
TOKENS = {**STAND_INS, **FRONT_STAND_INS}
# Rows of a sheet with marks that the stencil marks as errors, as warnings, and leaves plain.
PROBE_ROWS = {0: "error", 1: "warning"}
PLAIN_ROW = 2

_STRING_CHARS = 32_767 // 2  # surely within Excel's limit however it counts
_HEIGHT = re.compile(r'\sht="([^"]*)"')
_SPANS = re.compile(r'\sspans="([^"]*)"')


def _row_px(points: float) -> int:
    return int(points * 4 / 3 + 0.5)  # as xlsxwriter's set_row rounds it


class _Strings:
    """The shared strings of one copy: the stencil's (found by their text where it has no
    stand-in) and the copy's new ones after them."""

    def __init__(self, known: dict[str, int], count: int):
        self.known = known
        self.count = count
        self.new: dict[str, int] = {}

    def number(self, text: str) -> int:
        found = self.known.get(text)
        if found is None:
            found = self.new.get(text)
            if found is None:
                found = self.new[text] = self.count + len(self.new)
        return found

    def edit(self, xml: str) -> str:
        total = self.count + len(self.new)
        xml = replace_start_tag(xml, "sst", lambda tag: set_attribute(
            drop_attribute(tag, "count"), "uniqueCount", str(total)))
        end = xml.rindex("</sst>")
        return xml[:end] + "".join(map(string_item, self.new)) + xml[end:]


def _cell(ref: str, style: int, how: str, value, strings: _Strings) -> str:
    """A cell as xlsxwriter writes it (``write_string``, ``write_value``, ``write_blank``)."""
    if how == "value":
        if value is None or value == "":
            how = "blank"
        elif isinstance(value, dt.datetime | dt.date):
            if not isinstance(value, dt.datetime):
                value = dt.datetime.combine(value, dt.time())
            return f'<c r="{ref}" s="{style}"><v>{serial(value):.16G}</v></c>'
        elif isinstance(value, bool):
            return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, int | float) and math.isfinite(value):
            return f'<c r="{ref}" s="{style}"><v>{value:.16G}</v></c>'
        else:
            how, value = "string", shown(value)
    if how == "blank":
        return f'<c r="{ref}" s="{style}"/>'
    return f'<c r="{ref}" s="{style}" t="s"><v>{strings.number(value)}</v></c>'


def _row(number: int, spans: str | None, height_px: int, cells: list[str]) -> str:
    attrs = f' spans="{spans}"' if spans else ""
    if height_px != DEFAULT_ROW_PX:
        attrs += f' ht="{height_px * 0.75:.16g}" customHeight="1"'
    return f'<row r="{number}"{attrs}>{"".join(cells)}</row>'


@dataclasses.dataclass
class _FormSheet:
    """A form's sheet in a stencil: its XML split at its rows, its columns' widths, each
    column's styles (by the severity of a mark, None for none), the rows' heights in pixels
    and its comment parts."""

    path: str
    head: str
    rows: dict[int, str]
    tail: str
    widths: list[float]
    styles: list[dict[str | None, int]]
    heights: dict[int, int]
    comments: tuple[str, CommentsPart, str, VmlPart] | None


class CopyStencil:
    """One kind's copy, built whole with stand-ins and probes, ready to be filled."""

    def __init__(self, data: bytes, forms: tuple[FormSpec, ...], marked: frozenset[str]):
        self.stencil = Stencil(data, TOKENS)
        with zipfile.ZipFile(BytesIO(data)) as src:
            texts = {name: src.read(name).decode("utf-8") for name in src.namelist()
                     if name.endswith((".xml", ".rels", ".vml"))}
        paths = sheet_parts(lambda name: texts[name].encode("utf-8"))
        self.forms: dict[str, _FormSheet] = {}
        for form in forms:
            path = paths[form.sheet]
            head, rows, tail = split_rows(texts[path])
            styled = row_styles(rows[FIRST_DATA_ROW + 1 + (PLAIN_ROW if form.id in marked else 0)])
            styles = [{None: styled[col]} for col in range(len(form.columns))]
            if form.id in marked:
                for i, severity in PROBE_ROWS.items():
                    for col, style in row_styles(rows[FIRST_DATA_ROW + 1 + i]).items():
                        styles[col][severity] = style
            heights = {number - 1: _row_px(float(found[1])) for number, row in rows.items()
                       if (found := _HEIGHT.search(row[:row.index(">")]))}
            self.forms[form.id] = _FormSheet(path, head, rows, tail, form_widths(form), styles,
                                             heights, self._comments(texts, path))
        head, rows, tail = split_rows(texts[paths[REVIEW_SHEET]])
        *kept, link_probe, plain_probe = sorted(rows)
        self.front_path = paths[REVIEW_SHEET]
        self.front_head, self.front_tail = head, tail
        self.front_rows = [rows[number] for number in kept]
        self.first_item = link_probe  # the row number of the list's first line
        self.item_spans = _SPANS.search(rows[link_probe])[1]
        linked, plain = row_styles(rows[link_probe]), row_styles(rows[plain_probe])
        self.front_styles = {"centre": linked[0], "table": linked[1], "link": linked[2],
                             "error": linked[3], "warning": plain[3]}
        sst = texts[SHARED_STRINGS]
        self.count = int(attribute(re.search(r"<sst\b[^>]*>", sst)[0], "uniqueCount"))
        self.known = {}
        for number, item in enumerate(ET.fromstring(sst).iterfind("m:si", NS)):
            text = "".join(item.itertext())
            if "_x" not in text and not any(token in text for token in TOKENS.values()):
                self.known.setdefault(text, number)

    @staticmethod
    def _comments(texts: dict[str, str], path: str):
        folder, name = posixpath.split(path)
        rels = texts.get(f"{folder}/_rels/{name}.rels")
        if rels is None:
            return None
        targets = {}
        for rel in ET.fromstring(rels).iterfind("rel:Relationship", NS):
            kind = rel.get("Type").rsplit("/", 1)[1]
            targets[kind] = posixpath.normpath(posixpath.join(folder, rel.get("Target")))
        if "comments" not in targets:
            return None
        comments, vml = targets["comments"], targets["vmlDrawing"]
        return comments, CommentsPart(texts[comments]), vml, VmlPart(texts[vml])

    def fill(self, respondent: Respondent, front_values: dict[str, str],
             filling: Filling, items: list[Item]) -> bytes:
        """The copy of ``respondent`` with ``filling``'s values and marks and ``items`` on
        its first sheet."""
        strings = _Strings(self.known, self.count)
        edits = {}
        defaults = respondent_defaults(respondent)
        for form in respondent.forms:
            sheet = self.forms[form.id]
            values = filling.values.get(form.id, {})
            marks = filling.marks.get(form.id, {})
            changed = set(values) | {row for row, _ in marks}
            if sheet.comments is not None:
                changed |= set(PROBE_ROWS)
            if not changed:
                continue
            widths = sheet.widths
            rows = dict(sheet.rows)
            heights = dict(sheet.heights)
            notes = []
            for i in sorted(changed):
                cells, lines = data_row(form, widths, i, defaults, values.get(i), marks)
                row = FIRST_DATA_ROW + i
                number = row + 1
                height = _row_px(LINE_PT * lines) if lines > 1 else DEFAULT_ROW_PX
                heights.pop(row, None)
                if height != DEFAULT_ROW_PX:
                    heights[row] = height
                spans = _SPANS.search(sheet.rows[number][:sheet.rows[number].index(">")])
                styles = sheet.styles
                rows[number] = _row(number, spans and spans[1], height, [
                    _cell(f"{column_letter(col)}{number}", styles[col][style[1]], how, value,
                          strings) for col, how, value, style, _ in cells])
                for cell in cells:
                    if cell.mark is not None:
                        options = comment_options(cell.mark.note)
                        notes.append(Note(row, cell.col, cell.mark.note, options["x_scale"],
                                          options["y_scale"]))
            xml = sheet.head + "".join(rows[n] for n in sorted(rows)) + sheet.tail
            edits[sheet.path] = partial(_replaced, xml)
            if sheet.comments is not None:
                comments_path, comments, vml_path, vml = sheet.comments
                edits[comments_path] = partial(_replaced, comments.xml(notes))
                edits[vml_path] = partial(_replaced, vml.xml(
                    notes, list(map(column_px, widths)), heights))
        self._front(items, strings, edits)
        edits[SHARED_STRINGS] = strings.edit
        # The fastest deflate: 2 ms less a copy, a third bigger (28 KB instead of 20).
        return self.stencil.fill({**{f: getattr(respondent, f) for f in STAND_INS},
                                  **front_values}, edits, compresslevel=1)

    def _front(self, items: list[Item], strings: _Strings, edits: dict) -> None:
        rows = list(self.front_rows)
        links = []
        number = self.first_item
        for index, item in enumerate(items, start=1):
            cells, height = item_row(index, item)
            xml = []
            for col, value, style in cells:
                ref = f"{column_letter(col)}{number}"
                how = "string" if isinstance(value, str) else "value"
                xml.append(_cell(ref, self.front_styles[style], how, value, strings))
                if style == "link":
                    location = _quoted_attribute(item_link(item))
                    links.append(f'<hyperlink ref="{ref}" location="{location}" tooltip='
                                 f'"{_quoted_attribute(Review.GO_TO_CELL)}" '
                                 f'display="{_quoted_attribute(value)}"/>')
            rows.append(_row(number, self.item_spans, _row_px(height), xml))
            number += 1
        last = number - 1
        tail = self.front_tail
        start, end = tail.index("<hyperlinks>"), tail.index("</hyperlinks>")
        tail = tail[:start] + ("<hyperlinks>" + "".join(links) if links else "") + \
            (tail[end:] if links else tail[end + len("</hyperlinks>"):])
        head = replace_start_tag(self.front_head, "dimension", lambda tag: set_attribute(
            tag, "ref", f"A1:{column_letter(4)}{last}"))
        edits[self.front_path] = partial(_replaced, head + "".join(rows) + tail)
        edits["xl/workbook.xml"] = partial(_print_area, last=last)


def _replaced(new: str, _old: str) -> str:
    return new


def _quoted_attribute(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _print_area(book: str, last: int) -> str:
    """workbook.xml with the first sheet's print area down to row ``last``."""
    def change(match: re.Match) -> str:
        tag = match[1]
        if attribute(tag, "name") != "_xlnm.Print_Area" or attribute(tag, "localSheetId") != "0":
            return match[0]
        return tag + re.sub(r"\$\d+$", f"${last}", match[2]) + "</definedName>"

    return re.sub(r"(<definedName\b[^>]*>)([^<]*)</definedName>", change, book)


# --- the stencils of a run ------------------------------------------------------------------

class CopyStencils:
    """The copies of one run of ``review``: each kind's stencil built once."""

    def __init__(self, config: Config, created: dt.datetime):
        self.config = config
        self.created = created
        self.kinds: dict[Hashable, CopyStencil] = {}
        self.fast = fast_supported()
        self.built_whole = 0  # copies too odd for a stencil

    def copy(self, respondent: Respondent, filling: Filling, front: Front,
             items: list[Item]) -> bytes:
        """The copy: from its kind's stencil where it is plain, else built whole."""
        marked = frozenset(form_id for form_id, marks in filling.marks.items() if marks)
        if not self._plain(respondent, filling, front, items, marked):
            self.built_whole += 1
            filling.front = partial(front_sheet, front=front, items=items)
            return build(respondent, self.config, self.created, filling)
        person = {field: getattr(respondent, field) for field in STAND_INS}
        key = (respondent.role, template_version(respondent.forms),
               tuple(f.sheet for f in respondent.forms), tuple(map(bool, person.values())),
               layout(respondent), front_layout(front), marked)
        stencil = self.kinds.get(key)
        if stencil is None:
            stencil = self.kinds[key] = self._stencil(respondent, front, marked)
        values = {"original": front.original, "errors": str(front.errors),
                  "warnings": str(front.warnings)}
        return stencil.fill(respondent, values, filling, items)

    def _stencil(self, respondent: Respondent, front: Front, marked: frozenset[str]) -> CopyStencil:
        stand_in = Respondent(**{field: STAND_INS[field] if getattr(respondent, field) else ""
                                 for field in STAND_INS},
                              role=respondent.role, forms=respondent.forms)
        probes = Filling()
        for form in respondent.forms:
            if form.id in marked:
                probes.marks[form.id] = {(i, column.key): Mark(severity, "")
                                         for i, severity in PROBE_ROWS.items()
                                         for column in form.columns}
        stand_in_front = dataclasses.replace(front, label=stand_in.label, **FRONT_STAND_INS)
        probes.front = partial(front_sheet, front=stand_in_front, items=list(PROBE_ITEMS),
                               measured=front)
        data = build(stand_in, self.config, self.created, probes, measured=respondent)
        return CopyStencil(data, respondent.forms, marked)

    def _plain(self, respondent: Respondent, filling: Filling, front: Front, items: list[Item],
               marked: frozenset[str]) -> bool:
        """Whether the copy comes out of a stencil as it would be built whole."""
        if not self.fast:
            return False
        if not all(map(stencillable, [getattr(respondent, f) for f in STAND_INS]
                       + [front.original])):
            return False
        for form in respondent.forms:
            if filling.rows(form) != form.row_count:
                return False  # longer than the blank
            if form.id in marked and form.row_count <= PLAIN_ROW:
                return False  # too short for the probes
        texts = [item.message for item in items] + [item.where for item in items] + [
            mark.note for marks in filling.marks.values() for mark in marks.values()]
        for rows in filling.values.values():
            for row in rows.values():
                for value in row.values():
                    if isinstance(value, str):
                        texts.append(value)
                    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
                        return False
                    elif isinstance(value, dt.date) and value < dt.date(1900, 3, 1):
                        return False  # ``serial`` leaves them to xlsxwriter's own
                    elif not isinstance(value, int | float | dt.date | dt.time | None):
                        texts.append(shown(value))
        # One search over all texts: a line break between them is no odd character.
        return max(map(len, texts), default=0) <= _STRING_CHARS \
            and not ODD_TEXT.search("\n".join(texts))
