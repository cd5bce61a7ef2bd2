"""Shared fixtures: a school's working folder made by the real ``init``, and its workbooks made
by the real ``generate``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ibc_xls.blanks.generate import Outcome, generate
from ibc_xls.checking.check import check_file
from ibc_xls.checking.validate import Context
from ibc_xls.settings.config import Config, load_config
from ibc_xls.settings.respondents import respondents
from ibc_xls.settings.workspace import init_workspace

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A working folder as ``ibc-xls init`` makes it (academic year 2026/2027)."""
    root = tmp_path / "школа"
    init_workspace(root, today=TODAY)
    return root


@pytest.fixture
def config(workspace: Path) -> Config:
    return load_config(workspace)


@pytest.fixture
def generated(config: Config) -> list[Outcome]:
    """Every respondent's workbook, written by ``generate`` into the outgoing folder."""
    return generate(config)


@pytest.fixture(scope="session")
def generated_once(tmp_path_factory) -> tuple[Config, list[Outcome]]:
    """One generated set for the whole session, for tests that only read it."""
    root = tmp_path_factory.mktemp("session") / "школа"
    init_workspace(root, today=TODAY)
    config = load_config(root)
    return config, generate(config)


def problems_of(result, severity=None):
    return [(p.code, p.sheet, p.cell) for p in result.problems
            if severity is None or p.severity is severity]


def returned(config) -> Path:
    return config.folders["returned"]


@pytest.fixture
def school(config):
    """The school's config, its generated blanks by respondent id, and a judge for a file
    (a local ``school`` fixture of a test module takes precedence)."""
    outcomes = {o.respondent.id: o.path for o in generate(config)}
    specs = {s.id: s for s in config.specs()}
    ctx = Context.of(config, [p.id for p in respondents(config, list(specs.values()))], TODAY)

    def judge(path: Path):
        return check_file(path, specs, ctx, config.root)

    return config, outcomes, judge
