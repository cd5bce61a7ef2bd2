"""The generated workbooks, read back with openpyxl: what staff receive."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fill import one_line
from openpyxl.utils import get_column_letter, range_boundaries

from ibc_xls.blanks.generate import MANIFEST, generate, safe_file_name
from ibc_xls.forms.identity import FIELDS, IDENTITY_SHEET, PROPERTY_PREFIX
from ibc_xls.forms.layout import (
    CLASSES_LIST,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    header_text,
    list_name,
)
from ibc_xls.forms.spec import date_bound
from ibc_xls.problems import IbcError
from ibc_xls.settings.config import load_config
from ibc_xls.sheets.formats import FONT
from ibc_xls.sheets.xlsx import Checked

# openpyxl is 1-based where xlsxwriter is 0-based.
HEADER = HEADER_ROW + 1
FIRST = FIRST_DATA_ROW + 1


def _open(path: Path):
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def books(generated_once):
    """Every generated workbook, opened once for the tests that only read them."""
    config, outcomes = generated_once
    return config, [(o, _open(o.path)) for o in outcomes]


def _excel_date(serial: str) -> dt.date:
    return (dt.datetime(1899, 12, 30) + dt.timedelta(days=int(float(serial)))).date()


def _validations(ws) -> dict[str, object]:
    """Column letter → the data validation that covers that column's input rows."""
    result = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            min_col, min_row, max_col, max_row = range_boundaries(rng.coord)
            for col in range(min_col, max_col + 1):
                result[get_column_letter(col)] = (dv, min_row, max_row)
    return result


def _list_values(wb, name: str) -> list[str]:
    ref = wb.defined_names[name].attr_text
    sheet, cells = ref.split("!")
    assert sheet.strip("'") == LISTS_SHEET, ref
    return [c[0].value for c in wb[LISTS_SHEET][cells.replace("$", "")] if c[0].value is not None]


def test_one_workbook_per_respondent(config, generated):
    names = sorted(o.path.name for o in generated)
    expected = sorted([f"Зав. ИБЦ — {config.ibc_head}.xlsx"]
                      + [f"{c.name} класс — {c.teacher}.xlsx" for c in config.classes])
    assert names == expected
    assert all(o.status == "created" for o in generated)
    assert {p.name for p in config.folders["outgoing"].glob("*.xlsx")} == set(names)


def test_sheets_in_order_with_hidden_service_sheets(books):
    _config, opened = books
    for o, wb in opened:
        forms = [f.sheet for f in o.respondent.forms]
        assert wb.sheetnames == [INSTRUCTIONS_SHEET, *forms, LISTS_SHEET, IDENTITY_SHEET]
        states = {name: wb[name].sheet_state for name in wb.sheetnames}
        assert states[LISTS_SHEET] == states[IDENTITY_SHEET] == "hidden", o.path.name
        assert all(states[s] == "visible" for s in [INSTRUCTIONS_SHEET, *forms])
        assert wb.active.title == INSTRUCTIONS_SHEET


def test_head_and_teacher_get_their_forms(generated):
    by_role = {o.respondent.role: [f.id for f in o.respondent.forms] for o in generated}
    assert by_role["ibc_head"] == ["roadmap", "documents", "explanatory", "meetings",
                                   "practices", "courses"]
    assert by_role["class_teacher"] == ["reading_contest", "textbooks", "diaries"]


def test_every_column_has_its_validation(books):
    config, opened = books
    for o, wb in opened:
        for form in o.respondent.forms:
            ws = wb[form.sheet]
            found = _validations(ws)
            last = FIRST + form.row_count - 1
            for i, column in enumerate(form.columns, start=1):
                letter = get_column_letter(i)
                where = f"{o.path.name} / {form.sheet} / {column.title}"
                if column.prefilled:
                    assert letter not in found, where
                    continue
                dv, top, bottom = found[letter]
                assert (top, bottom) == (FIRST, last), where
                assert dv.promptTitle and dv.prompt, where
                if column.type in ("choice", "class"):
                    name = CLASSES_LIST if column.type == "class" else list_name(form.id,
                                                                                column.key)
                    assert dv.type == "list" and dv.formula1 == name, where
                    expected = ([c.name for c in config.classes] if column.type == "class"
                                else list(column.choices))
                    assert _list_values(wb, name) == expected, where
                elif column.type == "date":
                    assert dv.type == "date" and dv.operator in (None, "between"), where
                    lo = date_bound(column.min, config.academic_year)
                    hi = date_bound(column.max, config.academic_year)
                    assert _excel_date(dv.formula1) == lo, where
                    assert _excel_date(dv.formula2) == hi, where
                elif column.type == "integer":
                    assert dv.type == "whole", where
                    assert (float(dv.formula1), float(dv.formula2)) == (column.min, column.max)
                elif column.max_length:
                    assert dv.type == "textLength" and dv.formula1 == str(column.max_length)
                assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), where


def test_input_cells_unlocked_and_the_rest_locked(books):
    _config, opened = books
    for o, wb in opened:
        for name in wb.sheetnames:
            assert wb[name].protection.sheet, f"{o.path.name} / {name} is not protected"
            assert not wb[name].protection.password, "no password a user would need"
        for form in o.respondent.forms:
            ws = wb[form.sheet]
            for i, column in enumerate(form.columns, start=1):
                assert ws.cell(HEADER, i).protection.locked
                assert one_line(ws.cell(HEADER, i).value) == header_text(column.title,
                                                                      column.required)
                for row in range(FIRST, FIRST + form.row_count):
                    assert ws.cell(row, i).protection.locked == column.prefilled, (
                        f"{o.path.name} / {form.sheet} / {ws.cell(row, i).coordinate}")
            # Nothing below the prepared rows is open for typing.
            assert ws.cell(FIRST + form.row_count, 1).protection.locked


def test_every_cell_in_arial_not_the_themes_font(books):
    """Excel shows a font marked as the theme's («minor») in the theme's Calibri whatever its
    name says, and the widths and the print scale are worked out for Arial."""
    _config, opened = books
    for o, wb in opened:
        fonts = {(cell.font.name, cell.font.scheme) for ws in wb.worksheets
                 for row in ws.iter_rows() for cell in row}
        assert fonts == {(FONT, None)}, o.path.name


def test_identity_in_properties_and_hidden_sheet(books):
    config, opened = books
    for o, wb in opened:
        props = {p.name: p for p in wb.custom_doc_props.props}
        sheet = wb[IDENTITY_SHEET]
        cells = {sheet.cell(r, 1).value: sheet.cell(r, 3).value for r in range(2, len(FIELDS) + 2)}
        person = o.respondent
        expected = {
            "template": person.role,
            "template_version": " ".join(f"{f.id}:{f.version}" for f in person.forms),
            "respondent_id": person.id, "respondent": person.name,
            "class_name": person.class_name, "school": config.school,
            "academic_year": "2026/2027",
        }
        for field, value in expected.items():
            prop = props[PROPERTY_PREFIX + field]
            assert type(prop).__name__ == "StringProperty", field
            assert prop.value == (value or None) or prop.value == value, field
            assert (cells[field] or "") == value, field


def test_roadmap_has_every_measure_prefilled(books):
    _config, opened = books
    head, wb = next((o, wb) for o, wb in opened if o.respondent.role == "ibc_head")
    form = head.respondent.forms[0]
    ws = wb[form.sheet]
    parts = [ws.cell(row, 1).value for row in range(FIRST, FIRST + form.row_count)]
    assert parts == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "3.3",
                     "3.4", "4.1", "4.2", "5.1"]
    keys = [c.key for c in form.columns]
    for offset, fixed in enumerate(form.fixed_rows):
        for key, text in fixed.items():
            assert ws.cell(FIRST + offset, keys.index(key) + 1).value == text
    assert ws.cell(FIRST + form.row_count, 1).value is None


def test_teacher_rows_prefilled_with_class_and_name(books):
    _config, opened = books
    for o, wb in opened:
        if o.respondent.role != "class_teacher":
            continue
        for form in o.respondent.forms:
            ws = wb[form.sheet]
            for i, column in enumerate(form.columns, start=1):
                expected = {"respondent_class": o.respondent.class_name,
                            "respondent_name": o.respondent.name}.get(column.default or "")
                values = {ws.cell(r, i).value for r in range(FIRST, FIRST + form.row_count)}
                assert values == {expected}, f"{o.path.name} / {form.sheet} / {column.title}"


def test_print_setup_and_frozen_header(books):
    _config, opened = books
    for o, wb in opened:
        for form in o.respondent.forms:
            ws = wb[form.sheet]
            assert ws.freeze_panes == f"A{FIRST}"
            assert ws.page_setup.paperSize == 9
            assert ws.page_setup.orientation == form.orientation
            assert ws.print_title_rows == f"${HEADER}:${HEADER}"
        for ws, landscape in [(wb[f.sheet], f.orientation == "landscape")
                              for f in o.respondent.forms] + [(wb[INSTRUCTIONS_SHEET], False)]:
            # A fixed scale: 11-point text prints at 8 points or more, and the columns fit the
            # page's width in Excel (7 px a width unit) and in LibreOffice (6 % wider).
            assert not ws.sheet_properties.pageSetUpPr.fitToPage
            scale = ws.page_setup.scale
            assert 11 * scale / 100 >= 8, (o.path.name, ws.title, scale)
            pixels = sum(round(d.width * 7) * (d.max - d.min + 1)
                         for d in ws.column_dimensions.values() if not d.hidden)
            page = ((11.69 if landscape else 8.27) - 0.8) * 96
            assert pixels * scale / 100 * 1.06 <= page, (o.path.name, ws.title)


def test_instructions_describe_every_input_column(books):
    _config, opened = books
    for o, wb in opened:
        ws = wb[INSTRUCTIONS_SHEET]
        text = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        for form in o.respondent.forms:
            assert any(form.sheet in t for t in text), form.sheet
            for column in form.input_columns:
                assert column.title in text, f"{o.path.name}: {column.title}"


def test_generate_is_reproducible(config, tmp_path):
    """The same bytes on every run, whether the workbooks are built here or in worker
    processes (as a school with many respondents has them built)."""
    first = generate(config, tmp_path / "a", workers=1)
    second = generate(config, tmp_path / "b", workers=2)
    assert len(first) == len(second) > 2
    for a, b in zip(first, second, strict=True):
        assert (a.respondent.id, a.path.name, a.status) == (b.respondent.id, b.path.name,
                                                            "created")
        assert a.path.read_bytes() == b.path.read_bytes()


def test_rerun_never_overwrites_a_changed_workbook(config, generated):
    filled = generated[1].path
    wb = _open(filled)
    wb[generated[1].respondent.forms[0].sheet].cell(FIRST, 1).value = "Иванов Иван"
    wb.save(filled)
    before = filled.read_bytes()
    again = {o.path.name: o.status for o in generate(config)}
    assert again[filled.name] == "kept"
    assert filled.read_bytes() == before
    assert {s for n, s in again.items() if n != filled.name} == {"unchanged"}


def test_rerun_updates_a_blank_workbook_when_the_config_changes(workspace, generated):
    path = workspace / "ibc-xls.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Смирнова Ольга Викторовна", "Смирнова Ольга Витальевна"),
                    encoding="utf-8")
    outcomes = {o.path.name: o.status for o in generate(load_config(workspace))}
    assert outcomes["1А класс — Смирнова Ольга Витальевна.xlsx"] == "created"
    assert outcomes[f"Зав. ИБЦ — {load_config(workspace).ibc_head}.xlsx"] == "unchanged"
    manifest = (workspace / "бланки" / MANIFEST).read_text(encoding="utf-8")
    assert "Смирнова Ольга Витальевна" in manifest


def test_a_blank_open_in_excel_is_not_replaced_and_the_others_are(workspace, config, generated):
    # The school year changes, so that every blank would be updated; one is open in Excel.
    path = workspace / "ibc-xls.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("МОУ «СОШ №4»", "МОУ «СОШ №5»"),
                    encoding="utf-8")
    locked = next(o.path for o in generated if o.respondent.class_name)
    before = locked.read_bytes()
    (locked.parent / f"~${locked.name}").write_bytes(b"")
    with pytest.raises(IbcError) as raised:
        generate(load_config(workspace))
    assert [(p.code, p.file) for p in raised.value.problems] == [("output-locked", str(locked))]
    assert locked.read_bytes() == before
    others = [o.path for o in generated if o.path != locked]
    assert all("СОШ №5" in _core(p) for p in others)


def _core(path: Path) -> str:
    """A workbook's custom document properties (they name the school)."""
    with zipfile.ZipFile(path) as z:
        return z.read("docProps/custom.xml").decode("utf-8")


@pytest.mark.parametrize(("stem", "expected"), [
    ("5А класс — Петрова", "5А класс — Петрова.xlsx"),
    ("../../etc/passwd", "_._etc_passwd.xlsx"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j.xlsx"),
    ("CON", "_CON.xlsx"),
    ("..", "_.xlsx"),
    ("   ", "_.xlsx"),
    ("tab\tnew\nline", "tab_new_line.xlsx"),
])
def test_safe_file_name(stem, expected):
    assert safe_file_name(stem) == expected


def _hostile_config(workspace: Path) -> None:
    path = workspace / "ibc-xls.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('name = "МОУ «СОШ №4»"', 'name = "=HYPERLINK(\\"http://x\\")&1"')
    text = text.replace("Смирнова Ольга Викторовна", "../../Смирнова: =1+1")
    text = text.replace("Кузьмина Наталья Сергеевна", "Кузьмина/..\\\\CON")
    text = text.replace("Сидорова Елена Викторовна", "+7 (999) -1+1")
    path.write_text(text, encoding="utf-8")


def test_odd_names_stay_text_and_inside_the_folder(workspace):
    _hostile_config(workspace)
    config = load_config(workspace)
    outgoing = config.folders["outgoing"]
    outcomes = generate(config)
    assert {o.path.parent for o in outcomes} == {outgoing}
    assert sorted(p.name for p in outgoing.iterdir() if p.name != MANIFEST) == sorted(
        o.path.name for o in outcomes)
    for o in outcomes:
        wb = _open(o.path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{o.path.name}: formula in {cell.coordinate}"
        subtitle = wb[o.respondent.forms[0].sheet]["A2"].value
        assert subtitle.startswith("=HYPERLINK(")
        assert o.respondent.name in subtitle


def test_xlsxwriter_soft_failure_raises(tmp_path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(tmp_path / "x.xlsx")
    ws = Checked(wb.add_worksheet("Лист"))
    with pytest.raises(RuntimeError, match="write_string"):
        ws.write_string(2_000_000, 0, "за пределами листа")
    wb.close()


def test_blanks_never_go_into_the_returned_folder(config):
    from ibc_xls.problems import IbcError

    with pytest.raises(IbcError) as exc:
        generate(config, config.folders["returned"])
    assert exc.value.problems[0].code == "generate-into-returned"
    assert not list(config.folders["returned"].iterdir())
