"""The education office's working folder: ``ibc-xls-office.toml`` names the office and the
schools it expects a report from; ``ibc-xls init --office`` makes the folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ibc_xls.forms.tomlcheck import Checker, read_toml
from ibc_xls.normalize import choice_key
from ibc_xls.problems import OFFICE_SETTINGS, IbcError, Problem
from ibc_xls.text import Rollup

OFFICE_CONFIG_NAME = "ibc-xls-office.toml"
TOP_KEYS = ("office", "folders", "schools")
OFFICE_KEYS = ("name",)
FOLDER_KEYS = ("received", "summaries")
SCHOOL_KEYS = ("short", "full")
DEFAULT_FOLDERS = {"received": Rollup.RECEIVED, "summaries": Rollup.SUMMARIES}


@dataclass(frozen=True)
class School:
    short: str  # as the school's own settings name it (school.name in ibc-xls.toml)
    full: str

    @property
    def key(self) -> str:
        return school_key(self.short)


@dataclass(frozen=True)
class Office:
    """The office's settings, with its folders resolved against its working folder."""

    root: Path
    name: str
    schools: tuple[School, ...]
    folders: dict[str, Path]

    def school(self, name: str) -> School | None:
        """The expected school a report names, quotes, spacing, case and ё aside."""
        key = school_key(name)
        return next((s for s in self.schools if s.key == key), None)


def school_key(name: str) -> str:
    """How school names compare: «СОШ №4», "СОШ № 4" and «сош №4» are one school."""
    return choice_key(name).replace("№ ", "№")


def example_office() -> str:
    """The settings ``init --office`` writes, commented in Russian."""
    folders = "\n".join(f'{key} = "{value}"' for key, value in DEFAULT_FOLDERS.items())
    schools = "\n".join(f'[[schools]]\nshort = "{short}"\nfull = "{full}"\n'
                        for short, full in Rollup.EXAMPLE_SCHOOLS)
    return Rollup.SETTINGS.format(folders=folders, schools=schools)


def load_office(root: Path) -> Office:
    """Read ``ibc-xls-office.toml`` from ``root``; raise IbcError on any problem."""
    path = root / OFFICE_CONFIG_NAME
    if not path.is_file():
        raise IbcError(Problem("office-config-missing", file=str(path)))
    data = read_toml(path)
    c = Checker(str(path))
    c.unknown(data, TOP_KEYS, "")
    office = c.get(data, "office", dict, "", default={})
    c.unknown(office, OFFICE_KEYS, "office.")
    name = c.get(office, "name", str, "office.")
    folders_raw = c.get(data, "folders", dict, "", required=False, default={})
    c.unknown(folders_raw, FOLDER_KEYS, "folders.")
    folders = {key: (root / c.get(folders_raw, key, str, "folders.", required=False,
                                  default=default)).resolve()
               for key, default in DEFAULT_FOLDERS.items()}
    if folders["received"] == folders["summaries"]:
        c.bad("folders.summaries", "same-folders", folders_raw.get("summaries"))
    schools: list[School] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(c.get(data, "schools", list, "", default=[])):
        prefix = f"schools[{i + 1}]."
        if not isinstance(raw, dict):
            c.bad(prefix.rstrip("."), "table", raw, name="schools")
            continue
        c.unknown(raw, SCHOOL_KEYS, prefix)
        short = c.get(raw, "short", str, prefix)
        full = c.get(raw, "full", str, prefix, required=False, default=short)
        if not short or not short.strip():
            continue
        school = School(short.strip(), (full or short).strip())
        if school.key in seen:
            c.add("toml-duplicate", f"{prefix}short", short,
                  where=OFFICE_SETTINGS["duplicate"].format(index=seen[school.key]))
            continue
        seen[school.key] = i + 1
        schools.append(school)
    if c.problems:
        raise IbcError(c.problems)
    return Office(root.resolve(), name.strip(), tuple(schools), folders)


@dataclass(frozen=True)
class InitResult:
    root: Path
    created: tuple[Path, ...]
    kept: tuple[Path, ...]


def init_office(root: Path) -> InitResult:
    """Create the office's working folder ``root``; keep every file that is already there."""
    root.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    kept: list[Path] = []
    config = root / OFFICE_CONFIG_NAME
    try:
        with config.open("x", encoding="utf-8", newline="\n") as f:
            f.write(example_office())
        created.append(config)
    except FileExistsError:
        kept.append(config)
    for name in DEFAULT_FOLDERS.values():
        folder = root / name
        if folder.is_dir():
            kept.append(folder)
        else:
            folder.mkdir(parents=True)
            created.append(folder)
    return InitResult(root, tuple(created), tuple(kept))
