"""Blanks made from a stencil of their kind mean what a whole build of them means: every part
of the workbook is compared, cell by cell and string by string, and read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import openpyxl
import pytest
from xlsxparts import CELL, SHARED_STRINGS, attribute
from xlsxparts import parts as read_parts

from ibc_xls.blanks.generate import blank, build, stencils
from ibc_xls.blanks.stencil import STAND_INS, stencillable
from ibc_xls.forms.identity import IDENTITY_SHEET, PROPERTY_PREFIX
from ibc_xls.forms.layout import INSTRUCTIONS_SHEET
from ibc_xls.settings.respondents import Respondent, respondents

CREATED = dt.datetime(2026, 9, 1)
_ITEM = re.compile(r"<si>.*?</si>", re.DOTALL)


def _meaning(data: bytes) -> dict[str, object]:
    """A workbook's parts with each shared-string cell showing its string instead of its
    number, and the shared strings as the set of strings with the count of cells showing
    them: what the order of the strings cannot change."""
    parts = read_parts(data)
    sst = parts.pop(SHARED_STRINGS)
    items = _ITEM.findall(sst)

    def text(match: re.Match) -> str:
        attributes, inner = match[1], match[2]
        if inner is None:
            return f"<c{attributes}/>"
        if attribute(attributes, "t") == "s":
            number = re.fullmatch(r"<v>(\d+)</v>", inner)[1]
            inner = f"<v>{items[int(number)]}</v>"
        return f"<c{attributes}>{inner}</c>"

    meaning: dict[str, object] = {name: CELL.sub(text, xml) if name.startswith("xl/worksheets/")
                                  else xml for name, xml in parts.items()}
    head = re.search(r"<sst\b[^>]*>", sst)[0]
    meaning[SHARED_STRINGS] = (set(items), attribute(head, "count"))
    meaning["order of parts"] = list(parts)
    return meaning


@pytest.fixture
def people(config):
    found = respondents(config, config.specs())
    teacher = next(p for p in found if p.class_name)
    odd = [
        # Escaped in every part: the identity sheet, the subtitles, the properties.
        dataclasses.replace(teacher, id="class_odd", name="Иванова & <Петрова> 'Ко'"),
        # A long name: «Кто заполняет» wraps to more lines, a kind of its own.
        dataclasses.replace(teacher, name=" ".join(["Константинопольская-Преображенская"] * 4)),
        # Built whole (xlsxwriter keeps the spaces with xml:space, escapes the control
        # character and the quotation mark its own way).
        dataclasses.replace(teacher, name=" Сидорова"),
        dataclasses.replace(teacher, name="Сидорова\x07"),
        dataclasses.replace(teacher, name='Сидорова "Старшая"'),
    ]
    return found + odd


def test_a_stencilled_blank_means_what_a_whole_build_means(config, people):
    made = stencils(config, CREATED)
    for person in people:
        whole = build(person, config, CREATED)
        assert _meaning(blank(person, made)) == _meaning(whole), person.name


def test_respondents_of_a_kind_share_a_stencil_and_only_odd_values_are_built_whole(
        config, people):
    made = stencils(config, CREATED)
    for person in people:
        blank(person, made)
    regular = respondents(config, config.specs())
    # The head, the director and the teachers; the long name wraps to more lines.
    assert len(made.kinds) == len({p.role for p in regular}) + 1
    assert [p.name for p in people if not all(map(stencillable, (p.id, p.name, p.class_name)))] \
        == [" Сидорова", "Сидорова\x07", 'Сидорова "Старшая"']


def test_a_stencilled_blank_reads_back_with_its_respondent(config, people, tmp_path):
    made = stencils(config, CREATED)
    person = next(p for p in people if p.id == "class_odd")
    path = tmp_path / "blank.xlsx"
    path.write_bytes(blank(person, made))
    book = openpyxl.load_workbook(path)
    identity = {row[0]: row[2] for row in book[IDENTITY_SHEET].iter_rows(values_only=True)
                if row[0] and row[2] is not None}
    assert identity["respondent_id"] == "class_odd"
    assert identity["respondent"] == "Иванова & <Петрова> 'Ко'"
    assert identity["class_name"] == person.class_name
    properties = {p.name: p.value for p in book.custom_doc_props.props}
    assert properties[PROPERTY_PREFIX + "respondent"] == "Иванова & <Петрова> 'Ко'"
    assert book.properties.title.endswith(person.label)
    texts = [c.value for row in book[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value]
    assert any(person.label in str(t) for t in texts)
    everything = "".join(read_parts(path.read_bytes()).values())
    assert not any(token in everything for token in STAND_INS.values())


def test_a_class_column_filled_in_shows_the_respondents_class(config, people, tmp_path):
    made = stencils(config, CREATED)
    person = next(p for p in people if p.class_name and p.id != "class_odd")
    path = tmp_path / "blank.xlsx"
    path.write_bytes(blank(person, made))
    book = openpyxl.load_workbook(path)
    form = next(f for f in person.forms
                if any(c.default == "respondent_class" for c in f.columns))
    col = next(i for i, c in enumerate(form.columns) if c.default == "respondent_class") + 1
    from ibc_xls.forms.layout import FIRST_DATA_ROW
    values = {book[form.sheet].cell(FIRST_DATA_ROW + 1 + i, col).value
              for i in range(form.row_count)}
    assert values == {person.class_name}


def test_a_respondent_is_a_plain_dataclass():
    # The stencil makes its stand-in with these fields and no others.
    assert {f.name for f in dataclasses.fields(Respondent)} == {*STAND_INS, "role", "forms"}
