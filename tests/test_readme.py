"""The README's first hour, as written: its commands exist and do what it says."""

from __future__ import annotations

import ast
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


DOCS = ROOT / "docs"
MAX_README_LINES = 250


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]


def test_the_readme_stays_short() -> None:
    assert len(README.splitlines()) <= MAX_README_LINES


def test_the_readme_links_the_plugin_tutorial_and_the_config_reference() -> None:
    assert "(docs/your-model.md)" in README
    assert "(docs/config.md)" in README


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.name)
def test_every_relative_link_and_image_resolves(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # code blocks hold no links
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        linked = path.parent / file if file else path
        missing_anchor = bool(anchor) and linked.suffix == ".md" and anchor not in _anchors(linked)
        if not linked.exists() or missing_anchor:
            broken.append(target)
    assert broken == []


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def _names_a_run(text: str) -> bool:
    """A paragraph starting ``Run:`` that gives a date, a commit (7 or more hex digits) and the
    machine (its cores)."""
    for paragraph in re.split(r"\n\s*\n", text):
        line = " ".join(paragraph.split())
        if (
            line.startswith("Run:")
            and re.search(r"\b\d{4}-\d{2}-\d{2}\b", line)
            and re.search(r"\bcommit [0-9a-f]{7,}\b", line)
            and re.search(r"\bcores?\b", line)
        ):
            return True
    return False


@pytest.mark.parametrize("name", ["results.md", "performance.md"])
def test_every_measured_table_names_the_run_it_came_from(name: str) -> None:
    """House rule: every figure names its run. In these pages each section holding a table has
    a ``Run:`` paragraph with the date, the commit and the machine, unless the section declares
    that its table holds bounds, not measurements (``<!-- bounds, not measurements -->``)."""
    text = (DOCS / name).read_text(encoding="utf-8")
    sections = re.split(r"^#{2,3} ", text, flags=re.MULTILINE)
    unnamed = [
        s.splitlines()[0]
        for s in sections[1:]
        if re.search(r"^\| --- ", s, flags=re.MULTILINE)
        and not _names_a_run(s)
        and "<!-- bounds, not measurements -->" not in s
    ]
    assert unnamed == []


def test_the_readme_screenshot_names_its_run() -> None:
    caption = README.split("(docs/report-sales.png)", 1)[1].split("\n\n", 2)[1]
    assert re.search(r"\d{4}-\d{2}-\d{2}", caption)
    assert re.search(r"commit [0-9a-f]{7,}", caption)


def test_the_architecture_page_names_every_layer_the_import_test_ranks() -> None:
    """docs/architecture.md and its picture follow tests/test_architecture.py's RANKS."""
    source = (ROOT / "tests" / "test_architecture.py").read_text(encoding="utf-8")
    ranks = next(
        ast.literal_eval(node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "RANKS"
    )
    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    picture = (DOCS / "architecture.svg").read_text(encoding="utf-8")
    missing = [
        module
        for module in ranks
        if f"`{module}`" not in page
        or (module.replace("shiftbench.", "", 1) if module != "shiftbench" else module)
        not in picture
    ]
    assert missing == []
