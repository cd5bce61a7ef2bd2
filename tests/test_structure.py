"""The package's shape: data moves one way through the stages, and only the CLI imports click."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from ibc_xls.problems import CATALOGUE

PACKAGE = Path(__file__).resolve().parent.parent / "ibc_xls"

# The stages in the order data flows; a module may import from its own stage or an earlier one.
# The ground (problems, cells, values, output, text) serves every stage; the CLI sits on top.
STAGES = [
    {"ibc_xls", "ibc_xls.problems", "ibc_xls.cells", "ibc_xls.normalize", "ibc_xls.output",
     "ibc_xls.text"},
    {"ibc_xls.forms"},
    {"ibc_xls.settings"},
    {"ibc_xls.sheets"},
    {"ibc_xls.blanks"},
    {"ibc_xls.reading"},
    {"ibc_xls.checking"},
    {"ibc_xls.report"},
    {"ibc_xls.review"},
    {"ibc_xls.rollup"},  # the education office combines the schools' reports
    {"ibc_xls.cli", "ibc_xls.cli_ru", "ibc_xls.__main__"},
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> int:
    """The stage of a module: the longest stage entry that is the module or a package of it."""
    best, found = -1, None
    for index, names in enumerate(STAGES):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    assert found is not None, f"{module} belongs to no stage: add it to STAGES"
    return found


def _imports(path: Path) -> set[str]:
    """Every ibc_xls module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("ibc_xls"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "ibc_xls":  # `from ibc_xls import periods` names a module
                names.update(f"ibc_xls.{a.name}" for a in node.names
                             if (PACKAGE / f"{a.name}.py").exists()
                             or (PACKAGE / a.name).is_dir())
                names.add("ibc_xls")
            elif node.module.startswith("ibc_xls"):
                names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; the package imports absolutely")
    return names


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_stage():
    for path in _modules():
        _stage(_module_name(path))


def test_data_moves_one_way():
    backwards = []
    for path in _modules():
        module = _module_name(path)
        for imported in _imports(path):
            if _stage(imported) > _stage(module):
                backwards.append(f"{module} imports {imported}")
    assert backwards == []


def test_the_stage_check_sees_a_backward_import(tmp_path):
    # The check itself must be able to fail: a reading module importing the report is caught.
    fake = tmp_path / "fake.py"
    fake.write_text("def f():\n    from ibc_xls.report.consolidate import consolidate\n")
    assert "ibc_xls.report.consolidate" in _imports(fake)
    assert _stage("ibc_xls.report.consolidate") > _stage("ibc_xls.reading.read")


# --- user-facing Russian text -----------------------------------------------------------------

_CYRILLIC = re.compile("[А-Яа-яЁё]")
# The catalogues: where Russian text a user sees belongs.
CATALOGUES = {"problems.py", "cli_ru.py", "text.py"}
# Russian words that are vocabulary rather than text shown: what a reader matches or parses in
# the files it reads, or sample data. Each stays where it is used, in the module-level
# constants named here with the reason; a Russian literal anywhere else still fails the test.
VOCABULARY = {
    "normalize.py": (
        {"YO", "YE", "_LATIN_TO_CYRILLIC", "_CLASS", "_WORDS", "_YEAR_TAIL", "MONTHS"},
        "what people type and the reader parses: month names, class letters, «г.», ё as е"),
    "forms/identity.py": (
        {"IDENTITY_SHEET", "HEADER", "FORMS_MARK", "FORMS_HEADER", "REPORT_FORMS_HEADER",
         "TABLES_HEADER", "CHECKS_HEADER"},
        "the hidden «Паспорт» sheet's name and the headers by which read and rollup find its "
        "sections: a file format read back from workbooks already sent; changing a word is a "
        "format change (REPORT_FORMAT), not a rewording"),
    "settings/workspace.py": (
        {"EXAMPLE_CLASSES"},
        "sample data: the example school's classes and teachers that init writes into a new "
        "settings file for the school to replace"),
}


def _russian_literals(path: Path, vocabulary: set[str] = frozenset()) -> list[int]:
    """Lines of string constants with Cyrillic text, docstrings and the module-level constants
    named in ``vocabulary`` left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if names and names <= vocabulary and node.value is not None:
            docstrings |= {id(n) for n in ast.walk(node.value)}
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and _CYRILLIC.search(node.value) and id(node) not in docstrings]


def test_russian_text_lives_in_the_catalogues():
    holding = {name for p in _modules() if p.name not in CATALOGUES
               and _russian_literals(p, VOCABULARY.get(name := p.relative_to(PACKAGE)
                                                       .as_posix(), (set(), ""))[0])}
    assert holding == set(), "Russian text outside the catalogues"


def test_the_text_check_sees_a_literal_and_skips_docstrings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""Модуль."""\n\ndef f():\n    """Функция."""\n    return "Ошибка"\n',
                      "utf-8")
    assert _russian_literals(module) == [5]


def test_vocabulary_is_exempt_by_name_and_nothing_else(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('MONTHS = {"января": 1}\nOTHER = "Ошибка"\n\n'
                      'def f():\n    return "ещё"\n', "utf-8")
    assert sorted(_russian_literals(module, {"MONTHS"})) == [2, 5]
    assert sorted(_russian_literals(module)) == [1, 2, 5]
    # Every name exempted is a constant that is there and holds Russian words.
    for name, (names, reason) in VOCABULARY.items():
        assert reason and _russian_literals(PACKAGE / name, names) == [], name
        for constant in names:
            assert _russian_literals(PACKAGE / name, names - {constant}), (name, constant)


def _strings(section) -> list[str]:
    found = []
    for name, value in vars(section).items():
        if name.startswith("_"):
            continue
        found += [value] if isinstance(value, str) else \
            [v for v in value.values() if isinstance(v, str)] if hasattr(value, "values") else []
    return found


def test_catalogue_entries_are_real_templates():
    # A problem's template says something itself: with its {fields} taken out, words are left;
    # a line of text.py (some only lay fields out on a line) is never one bare field.
    from ibc_xls import text
    from ibc_xls.problems import CATALOGUE

    bare = [code for code, k in CATALOGUE.items()
            for template in (k.template, *k.variants.values())
            if not _CYRILLIC.search(re.sub(r"\{[^}]*\}", "", template))]
    assert bare == []
    # A kind said several ways puts its variant where the template says {why}, and only there.
    assert [code for code, k in CATALOGUE.items()
            if bool(k.variants) != ("{why}" in k.template)] == []
    lines = [s for section in vars(text).values()
             if isinstance(section, type) and section.__module__ == text.__name__
             for s in _strings(section)]
    assert len(lines) > 100
    assert [s for s in lines if re.fullmatch(r"\{[^}]*\}", s)] == []


def test_a_rule_problem_has_the_catalogues_wording_unless_the_form_words_it():
    from ibc_xls.problems import Problem

    params = {"rule_message": "", "left": "«Проверено»", "right": "Выдано"}
    assert Problem("rule-le", params=params).message == \
        "«Проверено» больше, чем «Выдано». Проверьте значения."
    own = {**params, "rule_message": "Проверено больше учебников, чем выдано."}
    assert Problem("rule-le", params=own).message == "Проверено больше учебников, чем выдано."
    assert Problem("duplicate-row", params={"rule_message": "", "first": 5}).message == \
        "Такая строка уже есть. Удалите повтор. Первая запись — строка 5."


# --- every problem made is shown with the parameters its message needs -------------------------

# Makers of problems other than Problem(...) itself, by the name called (``.name`` for a
# method): where the code stands among the positional arguments (or the one code it makes
# and where its variant stands), and the parameters the maker fills itself. Every other
# keyword of a call is a parameter.
_MAKERS = {
    ".bad": (None, "toml-bad-value", 1, {"key", "shown"}),  # forms.tomlcheck.Checker.bad
    "bad_value": (None, "toml-bad-value", 2, {"key", "shown"}),  # forms.tomlcheck.bad_value
    "too_large": (None, "file-too-large", 1, set()),  # reading.worker.too_large
    # forms.tomlcheck.Checker.add (called on a checker) and checking.validate._Adder (called
    # as ``add``): the key named, the column's title.
    ".add": (0, None, None, {"key"}),
    "add": (0, None, None, {"title"}),
    # The readers' refuse() (reading.sniff, rollup.readreport): a problem read in a worker
    # learns the folder it was read from when it is shown (problems.in_folder).
    "refuse": (0, None, None, {"folder"}),
}
# Where problems are made from parameters this check cannot read from the call, and why.
_NOT_CHECKED = {
    ("ibc_xls/forms/tomlcheck.py", "bad_value"): "the maker: its callers are checked",
    ("ibc_xls/forms/tomlcheck.py", "Checker.bad"): "the maker: its callers are checked",
    ("ibc_xls/forms/tomlcheck.py", "Checker.add"): "the maker: its callers are checked",
    ("ibc_xls/checking/validate.py", "_Adder.__call__"): "the maker: its callers are checked",
    ("ibc_xls/reading/sniff.py", "refuse"): "the maker: its callers are checked",
    ("ibc_xls/rollup/readreport.py", "read_report.refuse"): "the maker: its callers are checked",
    ("ibc_xls/reading/worker.py", "too_large"): "the maker: its callers are checked",
    ("ibc_xls/forms/tomlcheck.py", "read_toml"): "toml-syntax: «at» with its line and column, "
                                                 "or «at-end»; test_config shows both",
    ("ibc_xls/reading/read.py", "read_workbook"): "identity-mismatch: the parameters of a "
                                                  "conflict; test_reader_properties shows them",
    ("ibc_xls/checking/validate.py", "validate_workbook"): "identity-mismatch: the parameters "
                                                           "of a mismatch; test_validate shows "
                                                           "them",
    ("ibc_xls/checking/validate.py", "validate_form"): "a cell's problem as normalize raised it "
                                                       "(its code and parameters)",
}
_NOT_PARAMS = {"file", "sheet", "field", "value", "row", "col"}  # Problem's own fields


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template)
            if f}


def _literals(node: ast.expr | None) -> list[str] | None:
    """The texts an argument can be, when the call spells them out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        both = (_literals(node.body), _literals(node.orelse))
        return None if None in both else both[0] + both[1]
    return None


class _ProblemCalls(ast.NodeVisitor):
    """Each call that makes a problem: (where, code, variant or None, parameters given), or
    (where, None, None, None) when the call does not spell them out."""

    def __init__(self, module: str):
        self.module, self.scope, self.found = module, [], []

    def _scoped(self, node) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_ClassDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        name = func.id if isinstance(func, ast.Name) else f".{func.attr}" \
            if isinstance(func, ast.Attribute) else ""
        where = (self.module, ".".join(self.scope))
        if name == "Problem":
            code = _literals(node.args[0]) if node.args else None
            params = next((k.value for k in node.keywords if k.arg == "params"), ast.Dict([], []))
            if code is None or not isinstance(params, ast.Dict) or None in params.keys:
                self.found.append((where, None, None, None))
                return
            given = dict(zip([k.value for k in params.keys], params.values, strict=True))
            filled: set[str] = set()
        else:
            maker = _MAKERS.get(name)
            if maker is None:
                return
            at, fixed, why_at, filled = maker
            code = [fixed] if fixed else _literals(node.args[at]) if len(node.args) > at \
                else None
            if code is None or any(c not in CATALOGUE for c in code):
                if fixed or name == "refuse":
                    self.found.append((where, None, None, None))
                return  # an add() of something else (a set's)
            if any(k.arg is None for k in node.keywords):  # **params
                self.found.append((where, None, None, None))
                return
            given = {k.arg: k.value for k in node.keywords}
            if why_at is not None:
                given["why"] = node.args[why_at] if len(node.args) > why_at else None
        for one in code:
            kind = CATALOGUE[one]
            # A variant the call does not spell out: it is to give what any variant needs.
            whys = (_literals(given.get("why")) or list(kind.variants)) if kind.variants \
                else [None]
            for why in whys:
                self.found.append((where, one, why, set(given) | filled))


def test_every_problem_is_made_with_what_its_message_needs():
    found = []
    for path in _modules():
        module = str(path.relative_to(PACKAGE.parent))
        calls = _ProblemCalls(module)
        calls.visit(ast.parse(path.read_text("utf-8")))
        found += calls.found
    missing, unknown = [], []
    for where, code, why, given in found:
        if code is None:
            continue
        kind = CATALOGUE[code]
        needs = _fields(kind.template) | (_fields(kind.own) if kind.own else set())
        if kind.variants:
            if why not in kind.variants:
                unknown.append((where, code, why))
                continue
            needs |= _fields(kind.variants[why])
        lacking = needs - given - _NOT_PARAMS - {"why"}
        if lacking:
            missing.append((where, code, why, sorted(lacking)))
    assert unknown == [], "a variant that is not in the catalogue"
    assert missing == [], "parameters a message needs that its maker does not give"
    assert {where for where, code, _, _ in found if code is None} == set(_NOT_CHECKED)
    checked = [f for f in found if f[1] is not None]
    # Not a vacuous pass: the calls are there, every toml-bad-value among them.
    assert len(checked) > 150
    assert len({why for _, code, why, _ in checked if code == "toml-bad-value"}) == \
        len(CATALOGUE["toml-bad-value"].variants)
