"""The README's first hour, as written: its commands exist and do what it says."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from shiftbench.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _tox() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini")
    return parser


def test_the_readme_opens_with_the_two_commands_tox_drives() -> None:
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == [
        "python -m pip install tox && tox -e run",
        "python -m pip install tox && tox",
    ]
    tox = _tox()
    assert "shiftbench run" in tox["testenv:run"]["commands"]


def test_every_subcommand_the_readme_reaches_through_tox_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tox = _tox()
    # tox -e cli -- ARGS runs "shiftbench ARGS" in the environment tox -e run uses
    assert tox["testenv:cli"]["commands"].strip() == "shiftbench {posargs:--help}"
    assert tox["testenv:cli"]["env_dir"] == tox["testenv:run"]["env_dir"]
    lines = re.findall(r"^tox -e cli -- (.+?)(?:\s+#.*)?$", README, flags=re.MULTILINE)
    assert any(line == "datasets" for line in lines)
    for line in lines:
        args = shlex.split(line)
        if "<run id>" in line:  # a run directory of the user's: run one and report on it
            monkeypatch.chdir(tmp_path)
            assert main(["run", "--datasets", "sales", "--models", "naive", "--out", "runs"]) == 0
            run_dir = capsys.readouterr().out.strip().splitlines()[-1]
            args = ["report", run_dir]
        assert main(args) == 0, line
        assert capsys.readouterr().out.strip()
