"""Another school: its name and region come from its settings into every blank and report, and
the templates' placeholders are checked. The blanks and the report are read back as files: the
cells (openpyxl) and every XML part of the .xlsx, so that no copy of the sample school's name
can hide in a list, a hint, a footer or a property."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fill import fill
from test_consolidate import IBC_HEAD, MEETINGS, PERIOD, ROADMAP, ROADMAP_ROWS, TODAY

from ibc_xls.blanks.generate import generate
from ibc_xls.cli import cli
from ibc_xls.problems import IbcError
from ibc_xls.report.collect import collect
from ibc_xls.settings.config import load_config
from ibc_xls.settings.workspace import init_workspace

NAME = "МБОУ «Лицей №7»"
FULL_NAME = "Муниципальное бюджетное общеобразовательное учреждение «Лицей №7»"
REGION, REGION_OF = "Новосибирская область", "Новосибирской области"
# Whatever spelling of the sample school or its region would betray a text not taken from
# the settings.
OLD = re.compile(r"СОШ|№\s?4(?!\d)|Томск", re.IGNORECASE)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_school(root: Path) -> Path:
    init_workspace(root, today=TODAY)
    config = root / "ibc-xls.toml"
    edit(config, 'name = "МОУ «СОШ №4»"', f'name = "{NAME}"')
    edit(config, 'full_name = "Муниципальное общеобразовательное учреждение «Средняя '
                 'общеобразовательная школа №4»"', f'full_name = "{FULL_NAME}"')
    edit(config, 'region = "Томская область"', f'region = "{REGION}"')
    edit(config, 'region_genitive = "Томской области"', f'region_genitive = "{REGION_OF}"')
    return root


def xml_texts(path: Path) -> str:
    """Every part of an .xlsx as text: cells, lists, validations, footers, properties."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist()
                         if n.endswith((".xml", ".rels")))


def cell_texts(path: Path) -> dict[str, list[str]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [c for row in ws.iter_rows(values_only=True) for c in row
                       if isinstance(c, str)] for ws in wb.worksheets}


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    root = make_school(tmp_path_factory.mktemp("lyceum") / "лицей")
    config = load_config(root)
    blanks = {o.respondent.id: o.path for o in generate(config)}
    meetings = [{**row, "Организатор": NAME} for row in IBC_HEAD[MEETINGS]]
    fill(blanks["ibc_head"], config.folders["returned"] / "ИБЦ.xlsx",
         {**IBC_HEAD, MEETINGS: meetings}, fixed={ROADMAP: ROADMAP_ROWS})
    collected = collect(config, PERIOD, as_of=TODAY, workers=1)
    return config, blanks, collected


def test_the_settings_name_the_school_and_its_region(school):
    config, _, _ = school
    assert (config.school, config.region, config.region_genitive) == (NAME, REGION, REGION_OF)


def test_blanks_name_the_school_from_its_settings(school):
    _, blanks, _ = school
    head = cell_texts(blanks["ibc_head"])
    roadmap = "\n".join(head[ROADMAP])
    assert roadmap.count(NAME) >= 16  # every place the seed named its school
    assert f"1. Директор {NAME} 2. Зав ИБЦ" in head[ROADMAP]
    assert "ТОИПКРО, УО, " + NAME in head[ROADMAP]
    assert head[MEETINGS][0] == ("3. Методические встречи с библиотекарями общеобразовательных "
                                 "организаций Новосибирской области")
    assert NAME in head["Списки"]  # the meetings' «Организатор» list offers the school
    for path in blanks.values():
        found = OLD.findall(xml_texts(path))
        assert not found, (path.name, found[:5])


def test_the_report_names_the_school_from_its_settings(school):
    _, _, collected = school
    cells = cell_texts(collected.output)
    assert cells["Методические встречи"].count(NAME) == 4  # the meetings in the period
    assert FULL_NAME in cells["Титульный лист"]
    found = OLD.findall(xml_texts(collected.output))
    assert not found, found[:5]


def test_the_school_is_no_part_of_the_template_version(school, tmp_path):
    """Renaming the school keeps the blanks' template version, so returns stay readable."""
    _, blanks, _ = school
    sample = tmp_path / "школа"
    init_workspace(sample, today=TODAY)
    first = generate(load_config(sample))
    head = next(o.path for o in first if o.respondent.id == "ibc_head")
    props = [openpyxl.load_workbook(p).custom_doc_props["ibc_xls_template_version"].value
             for p in (head, blanks["ibc_head"])]
    assert props[0] == props[1] == ("roadmap:1 documents:1 explanatory:1 meetings:1 "
                                    "practices:1 courses:1")


def _generate(root: Path):
    return CliRunner().invoke(cli, ["generate", "--folder", str(root)], catch_exceptions=False)


def test_an_unknown_placeholder_is_a_russian_problem(tmp_path):
    root = make_school(tmp_path / "лицей")
    spec = root / "шаблоны" / "07_meetings.toml"
    edit(spec, '"{school.name}", "Другой"', '"{school.nmae}", "Другой"')
    result = _generate(root)
    assert result.exit_code == 2
    assert result.output == (
        f"Ошибка. Файл «{spec}»: Ключ «columns[4].choices»: подстановка «{{school.nmae}}» не "
        "известна ibc-xls. Исправьте написание; допустимы: {school.name}, {school.full_name}, "
        "{school.municipality}, {school.region}, {school.region_genitive}.\n")
    assert not (root / "бланки").exists() or not any((root / "бланки").glob("*.xlsx"))


def test_a_placeholder_without_its_setting_is_a_russian_problem(tmp_path):
    root = make_school(tmp_path / "лицей")
    edit(root / "ibc-xls.toml", f'region_genitive = "{REGION_OF}"\n', "")
    with pytest.raises(IbcError) as caught:
        load_config(root).specs()
    messages = {(Path(p.file).name, p.field, p.message) for p in caught.value.problems}
    need = (f"использует подстановку «{{school.region_genitive}}», а в файле настроек "
            f"«{root / 'ibc-xls.toml'}» не задан ключ «school.region_genitive». Впишите его в "
            "раздел [school] этого файла: region_genitive = \"Томской области\" — регион в "
            "родительном падеже (кого? чего?).")
    assert ("07_meetings.toml", "title", f"Ключ «title» {need}") in messages
    assert ("01_roadmap.toml", "fixed_rows[8].measure",
            f"Ключ «fixed_rows[8].measure» {need}") in messages


def test_every_placeholder_says_what_to_write_and_init_writes_them_all(tmp_path):
    from ibc_xls.forms.spec import PLACEHOLDERS
    from ibc_xls.problems import CATALOGUE

    assert set(CATALOGUE["spec-placeholder-unset"].variants) == set(PLACEHOLDERS)
    init_workspace(tmp_path / "новая")
    assert all(value for value in load_config(tmp_path / "новая").placeholders().values())


def test_doubled_braces_are_literal_braces(tmp_path):
    root = make_school(tmp_path / "лицей")
    spec = root / "шаблоны" / "02_documents.toml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r'^description = ".*"$',
                           'description = "Документы {school.name} {{по плану}}"', text,
                           flags=re.M), encoding="utf-8")
    documents = next(s for s in load_config(root).specs() if s.id == "documents")
    assert documents.description == f"Документы {NAME} {{по плану}}"
