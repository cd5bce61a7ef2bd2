"""The working folder made by ``init``, the school's ``ibc-xls.toml``, class names, and who gets
which workbook."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ibc_xls import normalize
from ibc_xls.forms.spec import load_specs
from ibc_xls.problems import IbcError
from ibc_xls.settings.config import CONFIG_NAME, load_config
from ibc_xls.settings.respondents import respondents
from ibc_xls.settings.workspace import EXAMPLE_CLASSES, init_workspace

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
NOVEMBER = dt.date(2026, 11, 25)
FOLDERS = ("шаблоны", "бланки", "сданные", "отчёты", "на исправление")
HEAD_FORMS = ["roadmap", "documents", "explanatory", "meetings", "practices", "courses"]
TEACHER_FORMS = ["reading_contest", "textbooks", "diaries"]


def edit_config(root: Path, old: str, new: str) -> Path:
    """Replace one exact piece of the example configuration, as a user would in Notepad."""
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def config_problems(root: Path) -> list:
    with pytest.raises(IbcError) as raised:
        load_config(root)
    return raised.value.problems


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "школа"
    init_workspace(root, today=NOVEMBER)
    return root


# ---------------------------------------------------------------------------------------------
# init


def test_init_creates_config_folders_and_templates(tmp_path):
    root = tmp_path / "школа"
    result = init_workspace(root, today=NOVEMBER)
    assert result.root == root
    assert result.created == (root / CONFIG_NAME, *(root / name for name in FOLDERS))
    assert result.kept == ()
    assert (root / CONFIG_NAME).is_file()
    for name in FOLDERS:
        assert (root / name).is_dir()
    shipped = sorted(p.name for p in TEMPLATES.glob("*.toml"))
    assert len(shipped) == 9
    assert sorted(p.name for p in (root / "шаблоны").iterdir()) == shipped
    for name in shipped:
        assert (root / "шаблоны" / name).read_bytes() == (TEMPLATES / name).read_bytes()
    for name in ("бланки", "сданные", "отчёты"):
        assert list((root / name).iterdir()) == []


def test_init_twice_keeps_what_the_user_edited(root):
    config = edit_config(root, 'name = "МОУ «СОШ №4»"', 'name = "МБОУ «Лицей №1»"')
    config.write_bytes(config.read_bytes() + "# моя пометка\r\n".encode())
    before = config.read_bytes()
    spec = root / "шаблоны" / "05_textbooks.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("max = 45", "max = 40"),
                    encoding="utf-8")
    spec_before = spec.read_bytes()

    result = init_workspace(root, today=dt.date(2027, 10, 1))
    assert result.created == ()
    assert result.kept == (root / CONFIG_NAME, *(root / name for name in FOLDERS))
    assert config.read_bytes() == before
    assert spec.read_bytes() == spec_before
    assert load_config(root).school == "МБОУ «Лицей №1»"
    assert load_config(root).academic_year == 2026


def test_init_recreates_only_what_is_missing(root):
    (root / "отчёты").rmdir()
    result = init_workspace(root, today=NOVEMBER)
    assert result.created == (root / "отчёты",)
    assert (root / "отчёты").is_dir()


# ---------------------------------------------------------------------------------------------
# load_config


def test_example_config(root):
    config = load_config(root)
    assert config.root == root.resolve()
    assert config.school == "МОУ «СОШ №4»"
    assert config.academic_year == 2026
    assert config.year_label == "2026/2027"
    assert (config.year_start, config.year_end) == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    assert config.ibc_head == "Сидорова Елена Викторовна"
    assert config.director == "Кузнецов Андрей Николаевич"
    assert config.director_workbook is False
    assert len(config.classes) == 20
    assert [(c.name, c.teacher, c.pupils) for c in config.classes] == EXAMPLE_CLASSES
    assert config.classes[0].name == "1А"
    assert config.classes[-1].name == "11А"
    assert config.folders == {key: (root / name).resolve() for key, name in zip(
        ("templates", "outgoing", "returned", "reports", "review"), FOLDERS, strict=True)}
    assert config.forms == {"ibc_head": tuple(HEAD_FORMS),
                            "director": ("documents", "explanatory"),
                            "class_teacher": tuple(TEACHER_FORMS)}
    assert [s.id for s in config.specs()] == [s.id for s in load_specs(TEMPLATES)]


@pytest.mark.parametrize(("today", "year"), [
    (dt.date(2026, 11, 25), 2026),
    (dt.date(2026, 7, 15), 2025),
    (dt.date(2026, 9, 1), 2026),
    (dt.date(2026, 8, 31), 2025),
    (dt.date(2027, 1, 10), 2026),
])
def test_academic_year_from_the_day_of_init(tmp_path, today, year):
    init_workspace(tmp_path, today=today)
    assert load_config(tmp_path).academic_year == year


@pytest.mark.parametrize("typed", ['"5 а"', '"5A"', '"05-А"', '"5а"', '"5-А"', '" 5\u00a0А "'])
def test_class_names_in_the_roster_are_normalised(root, typed):
    edit_config(root, 'name = "5А"', f"name = {typed}")
    config = load_config(root)
    assert config.classes[8].name == "5А"
    assert config.classes[8].teacher == "Васильева Анна Андреевна"


def test_class_given_as_a_number(root):
    edit_config(root, 'name = "11А"', "name = 11")
    assert load_config(root).classes[-1].name == "11"


# (test id, old text, new text, code, key, a word the message must contain)
BAD_CONFIG = [
    ("class-name-12", 'name = "1Б"', 'name = "12Б"', "toml-bad-value", "classes[2].name", "12Б"),
    ("class-name-letter-first", 'name = "1Б"', 'name = "Б1"', "toml-bad-value",
     "classes[2].name", "«5А»"),
    ("class-name-empty", 'name = "1Б"', 'name = ""', "toml-bad-value", "classes[2].name",
     "пустая строка"),
    ("duplicate-class", 'name = "1Б"', 'name = "1 а"', "toml-duplicate", "classes[2].name",
     "в classes[1]"),
    ("class-missing-teacher", 'teacher = "Кузьмина Наталья Сергеевна"\n', "",
     "toml-missing-key", "classes[2].teacher", "Добавьте"),
    ("pupils-out-of-range", 'Кузьмина Наталья Сергеевна"\npupils = 25',
     'Кузьмина Наталья Сергеевна"\npupils = 0', "toml-bad-value",
     "classes[2].pupils", "от 1 до 45"),
    ("year-too-early", "academic_year = 2026", "academic_year = 2019", "toml-bad-value",
     "school.academic_year", "2025 для 2025/2026"),
    ("year-as-text", "academic_year = 2026", 'academic_year = "2026/2027"', "toml-bad-value",
     "school.academic_year", "целое число"),
    ("year-missing", "academic_year = 2026\n", "", "toml-missing-key", "school.academic_year",
     "Добавьте"),
    ("unknown-school-key", 'municipality = "', 'municipalty = "', "toml-unknown-key",
     "school.municipalty", "municipality"),
    ("director-workbook-not-bool", "director_workbook = false", 'director_workbook = "нет"',
     "toml-bad-value", "people.director_workbook", "true или false"),
    ("director-workbook-without-director", 'director = "Кузнецов Андрей Николаевич"\n'
     "# true — директор получает свою книгу; false — его формы входят в книгу зав. ИБЦ.\n"
     "director_workbook = false", "director_workbook = true", "toml-missing-key",
     "people.director", "Добавьте"),
    ("returned-is-outgoing", 'returned = "сданные"', 'returned = "бланки"', "toml-bad-value",
     "folders.returned", "должна отличаться"),
    ("unknown-role", "class_teacher = [", "teacher = [", "toml-unknown-key", "forms.teacher",
     "class_teacher"),
]


@pytest.mark.parametrize(("old", "new", "code", "key", "word"),
                         [case[1:] for case in BAD_CONFIG], ids=[case[0] for case in BAD_CONFIG])
def test_bad_config_is_reported_with_file_and_key(root, old, new, code, key, word):
    path = edit_config(root, old, new)
    problems = config_problems(root)
    assert [(p.code, p.file, p.field) for p in problems] == [(code, str(path), key)]
    rendered = str(problems[0])
    assert rendered.startswith(f"Файл «{path}»: ")
    assert f"«{key}»" in rendered
    assert word in rendered


def test_config_syntax_error(root):
    path = edit_config(root, "[people]", "[people")
    (problem,) = config_problems(root)
    assert (problem.code, problem.file) == ("toml-syntax", str(path))
    assert re.fullmatch(rf"Файл «{re.escape(str(path))}»: Файл нельзя прочитать как TOML: "
                        r"ошибка в строке \d+, знак \d+\. Исправьте синтаксис \(кавычки, "
                        r"скобки, запятые\)\.", str(problem))


def test_config_not_in_utf8(root):
    path = root / "ibc-xls.toml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    (problem,) = config_problems(root)
    assert problem.message == (
        "Файл нельзя прочитать как TOML: файл не в кодировке UTF-8; сохраните его в Блокноте с "
        "кодировкой UTF-8. Исправьте синтаксис (кавычки, скобки, запятые).")


def test_missing_config(tmp_path):
    problems = config_problems(tmp_path)
    assert [p.code for p in problems] == ["config-missing"]
    assert str(problems[0]).startswith(
        f"Файл настроек не найден; ibc-xls.toml искали в папках: «{tmp_path}».")
    assert "ibc-xls init" in str(problems[0])


# ---------------------------------------------------------------------------------------------
# normalize.class_name


@pytest.mark.parametrize(("typed", "name"), [
    ("5А", "5А"), ("5 а", "5А"), ("5A", "5А"), ("5a", "5А"), ("05-А", "5А"), ("5-а", "5А"),
    ("5 – А", "5А"), ("5\u00a0А", "5А"), ("\u200b5А ", "5А"), ("11б", "11Б"), ("11 B", "11В"),
    ("10Ё", "10Е"), ("3", "3"), ("03", "3"), (3, "3"), (11, "11"), (5.0, "5"), ("1", "1"),
])
def test_class_name_valid(typed, name):
    assert normalize.class_name(typed) == name


@pytest.mark.parametrize("typed", [
    "12А", "0", "0А", "А5", "5АБ", "5Z", "5 класс", "пятый", "", "   ", None, True, False, 5.5,
    12, 0, -5, [], "5.А",
])
def test_class_name_invalid(typed):
    assert normalize.class_name(typed) is None


# ---------------------------------------------------------------------------------------------
# respondents


def test_default_respondents(root):
    config = load_config(root)
    people = respondents(config, config.specs())
    assert len(people) == 21
    head, *teachers = people
    assert (head.id, head.role, head.name) == ("ibc_head", "ibc_head",
                                               "Сидорова Елена Викторовна")
    assert [f.id for f in head.forms] == HEAD_FORMS
    assert head.label == "Зав. ИБЦ Сидорова Елена Викторовна"
    assert "director" not in {p.role for p in people}
    assert [(t.id, t.class_name, t.name) for t in teachers] == [
        (f"class_{name}", name, teacher) for name, teacher, _ in EXAMPLE_CLASSES]
    for teacher in teachers:
        assert teacher.role == "class_teacher"
        assert [f.id for f in teacher.forms] == TEACHER_FORMS
    assert teachers[8].label == "5А класс, классный руководитель Васильева Анна Андреевна"
    assert teachers[8].file_stem == "5А класс — Васильева Анна Андреевна"


def test_director_forms_go_to_the_head_without_a_director_workbook(root):
    edit_config(root, 'ibc_head = ["roadmap", "documents", "explanatory", "meetings", '
                      '"practices", "courses"]', 'ibc_head = ["roadmap", "meetings"]')
    config = load_config(root)
    head = respondents(config, config.specs())[0]
    assert head.role == "ibc_head"
    assert [f.id for f in head.forms] == ["roadmap", "documents", "explanatory", "meetings"]


def test_director_with_own_workbook(root):
    edit_config(root, "director_workbook = false", "director_workbook = true")
    config = load_config(root)
    people = respondents(config, config.specs())
    assert len(people) == 22
    assert [p.role for p in people[:3]] == ["ibc_head", "director", "class_teacher"]
    director = people[1]
    assert (director.id, director.name) == ("director", "Кузнецов Андрей Николаевич")
    assert [f.id for f in director.forms] == ["documents", "explanatory"]
    assert director.label == "Директор Кузнецов Андрей Николаевич"
    assert director.file_stem == "Директор — Кузнецов Андрей Николаевич"
    assert [f.id for f in people[0].forms] == HEAD_FORMS


def test_without_forms_section_roles_come_from_the_specs(root):
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    start, end = text.index("\n[forms]\n"), text.index("\n[[classes]]\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    config = load_config(root)
    assert config.forms == {}
    people = respondents(config, config.specs())
    assert [f.id for f in people[0].forms] == HEAD_FORMS
    assert [f.id for f in people[1].forms] == TEACHER_FORMS


@pytest.mark.parametrize(("role", "old", "typo"), [
    ("ibc_head", "roadmap", "roadmapp"),
    ("director", "documents", "dokuments"),
    ("class_teacher", "reading_contest", "reading"),
])
def test_unknown_form_in_config(root, role, old, typo):
    path = edit_config(root, f'{role} = ["{old}", ', f'{role} = ["{typo}", ')
    config = load_config(root)
    with pytest.raises(IbcError) as raised:
        respondents(config, config.specs())
    (problem,) = raised.value.problems
    assert (problem.code, problem.file, problem.field) == (
        "toml-bad-value", str(path.resolve()), f"forms.{role}")
    rendered = str(problem)
    assert f"«{path.resolve()}»" in rendered
    assert f"«forms.{role}»" in rendered
    assert problem.value == typo
    assert f"«{typo}»" in rendered
    assert "нет среди шаблонов" in rendered
