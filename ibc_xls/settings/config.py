"""The school's configuration: one ``ibc-xls.toml`` in the working folder, made by
``ibc-xls init``. It names the school, the academic year, the roster of classes with their
class teachers, who fills which forms, and the folders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ibc_xls import normalize
from ibc_xls.forms.spec import DEFAULT_TEMPLATES, ROLES, FormSpec, load_specs
from ibc_xls.forms.tomlcheck import Checker, read_toml
from ibc_xls.problems import PLACES, IbcError, Problem
from ibc_xls.text import Toml, Workspace

CONFIG_NAME = "ibc-xls.toml"

TOP_KEYS = ("school", "people", "folders", "forms", "classes")
SCHOOL_KEYS = ("name", "full_name", "municipality", "region", "region_genitive",
               "academic_year", "return_to")
PEOPLE_KEYS = ("ibc_head", "director", "director_workbook")
FOLDER_KEYS = ("templates", "outgoing", "returned", "reports", "review")
CLASS_KEYS = ("name", "teacher", "pupils")
# A settings file without a key gets its default: files made before a folder existed still load.
DEFAULT_FOLDERS = dict(Workspace.FOLDERS)


@dataclass(frozen=True)
class SchoolClass:
    name: str
    teacher: str
    pupils: int | None = None


@dataclass(frozen=True)
class Config:
    """A school's settings, with its folders resolved against the working folder."""

    root: Path
    school: str
    full_name: str
    municipality: str
    academic_year: int
    return_to: str
    ibc_head: str
    director: str
    director_workbook: bool
    classes: tuple[SchoolClass, ...]
    forms: dict[str, tuple[str, ...]]
    folders: dict[str, Path]
    region: str = ""
    region_genitive: str = ""

    @property
    def year_label(self) -> str:
        """``2025/2026`` for the year that starts on 1 September 2025."""
        return f"{self.academic_year}/{self.academic_year + 1}"

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.academic_year, 9, 1)

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.academic_year + 1, 8, 31)

    def placeholders(self) -> dict[str, str]:
        """The values of the placeholders a template text may use (``{school.name}``)."""
        return {"school.name": self.school, "school.full_name": self.full_name,
                "school.municipality": self.municipality, "school.region": self.region,
                "school.region_genitive": self.region_genitive}

    def specs(self) -> list[FormSpec]:
        """The form specs this school uses: its own templates folder, or the shipped ones when
        the configuration names none and the default folder is absent; their placeholders
        filled from the settings."""
        folder = self.folders["templates"]
        return load_specs(folder if folder.is_dir() else DEFAULT_TEMPLATES, self.placeholders(),
                          self.root / CONFIG_NAME)


    def template_warnings(self) -> list[Problem]:
        """``spec-no-summaries`` for each of the school's own templates that declares no
        summary of the report while the shipped template of its form does: a copy made before
        ``[[summaries]]`` existed, whose form would silently be left out of the report."""
        folder = self.folders["templates"]
        if not folder.is_dir() or folder.resolve() == DEFAULT_TEMPLATES.resolve():
            return []
        shipped = {s.id: s for s in load_specs(DEFAULT_TEMPLATES)}
        return [Problem("spec-no-summaries", file=spec.source,
                        params={"shipped": shipped[spec.id].source})
                for spec in self.specs()
                if not spec.summaries and spec.id in shipped and shipped[spec.id].summaries]


def _missing(folders: list[Path]) -> IbcError:
    """``config-missing`` naming every folder where the settings file was looked for."""
    return IbcError(Problem("config-missing", params={
        "folders": ", ".join(f"«{f}»" for f in folders)}))


def find_root(start: Path) -> Path:
    """The working folder that ``start`` lies in: the nearest of ``start`` (a folder, or the
    folder of a file) and the folders above it that holds ``ibc-xls.toml``."""
    start = start.resolve()
    if not start.is_dir():
        start = start.parent
    looked = []
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
        looked.append(folder)
    raise _missing(looked)


def load_config(root: Path) -> Config:
    """Read ``ibc-xls.toml`` from the working folder ``root``; raise IbcError on any problem."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise _missing([root.resolve()])
    data = read_toml(path)
    c = Checker(str(path))
    c.unknown(data, TOP_KEYS, "")
    school = c.get(data, "school", dict, "", default={})
    c.unknown(school, SCHOOL_KEYS, "school.")
    name = c.get(school, "name", str, "school.")
    year = c.get(school, "academic_year", int, "school.")
    if year is not None and not 2023 <= year <= 2100:
        c.bad("school.academic_year", "academic-year",
              year)
    # The region, as named and in the genitive («библиотекари Томской области»), for templates.
    region = c.get(school, "region", str, "school.", required=False, default="")
    region_genitive = c.get(school, "region_genitive", str, "school.", required=False,
                            default="")
    people = c.get(data, "people", dict, "", default={})
    c.unknown(people, PEOPLE_KEYS, "people.")
    ibc_head = c.get(people, "ibc_head", str, "people.")
    director = c.get(people, "director", str, "people.", required=False, default="")
    director_workbook = c.get(people, "director_workbook", bool, "people.", required=False,
                              default=False)
    if director_workbook and not director:
        c.add("toml-missing-key", "people.director")

    folders_raw = c.get(data, "folders", dict, "", required=False, default={})
    c.unknown(folders_raw, FOLDER_KEYS, "folders.")
    folders = {}
    for key, default in DEFAULT_FOLDERS.items():
        value = c.get(folders_raw, key, str, "folders.", required=False, default=default)
        folders[key] = (root / value).resolve()
    if "templates" in folders_raw and not folders["templates"].is_dir():
        c.bad("folders.templates", "no-templates", folders_raw["templates"])
    if folders["outgoing"] == folders["returned"]:
        c.bad("folders.returned", "returned-is-outgoing",
              folders_raw.get("returned"))
    if folders["review"] == folders["returned"] or folders["returned"] in folders["review"].parents:
        c.bad("folders.review", "review-in-returned", folders_raw.get("review"))

    forms_raw = c.get(data, "forms", dict, "", required=False, default={})
    c.unknown(forms_raw, ROLES, "forms.")
    forms = {role: c.strings(forms_raw, role, "forms.") for role in ROLES if role in forms_raw}

    classes: list[SchoolClass] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(c.get(data, "classes", list, "", default=[])):
        prefix = f"classes[{i + 1}]."
        if not isinstance(raw, dict):
            c.bad(prefix.rstrip("."), "table", raw, name="classes")
            continue
        c.unknown(raw, CLASS_KEYS, prefix)
        typed = c.get(raw, "name", (str, int), prefix)
        teacher = c.get(raw, "teacher", str, prefix)
        pupils = c.get(raw, "pupils", int, prefix, required=False)
        if pupils is not None and not 1 <= pupils <= 45:
            c.bad(f"{prefix}pupils", "pupils", pupils)
        cls = normalize.class_name(typed) if typed is not None else None
        if typed is not None and cls is None:
            c.bad(f"{prefix}name", "class-name", typed)
        if cls in seen:
            c.add("toml-duplicate", f"{prefix}name", cls,
                  where=Toml.IN.format(place=f"classes[{seen[cls]}]"))
        if cls and teacher:
            seen[cls] = i + 1
            classes.append(SchoolClass(cls, teacher.strip(), pupils))
    if c.problems:
        raise IbcError(c.problems)
    return Config(
        root=root.resolve(), school=name.strip(),
        full_name=c.get(school, "full_name", str, "school.", required=False, default=name),
        municipality=c.get(school, "municipality", str, "school.", required=False, default=""),
        region=region.strip(), region_genitive=region_genitive.strip(),
        academic_year=year,
        return_to=c.get(school, "return_to", str, "school.", required=False, default=""),
        ibc_head=ibc_head.strip(), director=director.strip(),
        director_workbook=director_workbook, classes=tuple(classes), forms=forms,
        folders=folders,
    )


def place_of(config: Config, path: Path) -> str | None:
    """What ``path`` is in the working folder: ``"settings"`` (the settings file), or the key
    of the innermost configured folder it lies in (``"returned"``, ``"templates"``, …); None
    for anything else."""
    path = path.resolve()
    if path == config.root / CONFIG_NAME:
        return "settings"
    inside = [key for key, folder in config.folders.items() if path.is_relative_to(folder)]
    return max(inside, key=lambda key: len(config.folders[key].parts), default=None)


def locate(paths: Sequence[Path], folder: Path | None = None) -> tuple[Config, list[Path]]:
    """The school's settings and what to read as returns, from what the user named.

    ``paths`` may name the working folder, its returned folder or anything in it, or files.
    The settings come from ``folder`` when given, else from the nearest folder holding
    ``ibc-xls.toml`` at or above the first path (or the current folder). The working folder
    stands for its returned folder; the settings file, a template, a blank, a report or a
    copy for correction is refused: they are never returns.
    """
    config = load_config(folder) if folder is not None else \
        load_config(find_root(paths[0] if paths else Path(".")))
    sources = []
    for path in paths or [config.folders["returned"]]:
        if path.resolve() == config.root:
            sources.append(config.folders["returned"])
            continue
        place = place_of(config, path)
        if place not in (None, "returned"):
            raise IbcError(Problem("not-returns", file=str(path), params={
                "what": PLACES[place], "returned": config.folders["returned"].name}))
        sources.append(path)
    return config, sources


def not_returns(config: Config) -> list[Path]:
    """What a search for returns must leave out even where it lies inside a named folder:
    the settings file and the folders of templates, blanks, reports and copies for correction
    (unless the returned folder lies inside one of them)."""
    returned = config.folders["returned"]
    return [config.root / CONFIG_NAME] + [
        folder for key, folder in config.folders.items()
        if key != "returned" and not returned.is_relative_to(folder)]
