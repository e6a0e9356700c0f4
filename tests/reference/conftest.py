"""The R reference run of ``test_against_r.py``: R's ``forecast`` package and shiftbench on the
same sample of M3 series, once per session.

Rscript runs ``m3_reference.R`` in the background while shiftbench fits its side, so the two
share the wall time. R and its ``forecast`` package are required: this test environment
(``tox -e reference``, CI's ``.ci/run``) exists to run them, so their absence fails the tests
instead of skipping them. The folder of the run (R's CSV output, the disagreements) is
``$SHIFTBENCH_R_REFERENCE_OUT`` when set, else a pytest temporary folder; every test prints it.
``$SHIFTBENCH_R_REFERENCE_LIMIT=N`` keeps the first N series of the sample only (a quick look
while changing the harness; the shares and means are then not the documented ones).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reference.ours import OurFit, fit_ours
from tests.reference.r_input import SAMPLE_STEP, Split, m3_splits, write_input
from tests.reference.r_output import ROutput, read_r_output

SCRIPT = Path(__file__).with_name("m3_reference.R")
#: The costly parts run on every 5th series of the sample only (11 of 53): shiftbench's ETS
#: and ARIMA with Box-Cox, R's auto.arima with Box-Cox, and the refit variant (18 fits each).
SUBSAMPLE_STEP = 5
#: The most seconds Rscript may take. Measured: 15 minutes wall for the whole module on a 2-core
#: machine shared with other jobs (load 6; R 903 s, shiftbench 634 s beside it); by CPU time
#: about 6 minutes on an idle one (auto.arima 4.6 s and ets 0.65 s of CPU per series).
R_TIMEOUT = 3600
METHODS = ("ses", "holt", "damped", "ets", "arima")
SMOOTHING = ("ses", "holt", "damped")

OurKey = tuple[str, str, int]  # series id, method, boxcox


@dataclass(frozen=True)
class Reference:
    """Both sides of the comparison on the sample."""

    splits: list[Split]
    r: ROutput
    ours: dict[OurKey, OurFit]
    folder: Path
    seconds_r: float
    seconds_ours: float

    def report(self, title: str, lines: list[str]) -> str:
        """Append a section of disagreements to ``disagreements.txt``; the text for an
        assertion message."""
        return self.note(f"{title}: {len(lines)} disagreement(s)", lines)

    def note(self, title: str, lines: list[str]) -> str:
        """Append a section to ``disagreements.txt``; its text and the file's path."""
        text = f"{title}\n" + "\n".join(lines)
        with (self.folder / "disagreements.txt").open("a") as handle:
            handle.write(text + "\n\n")
        return f"{text}\n(all disagreements: {self.folder / 'disagreements.txt'})"


def _require_r() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.fail(
            "Rscript is not installed: the R reference tests need R and its forecast package "
            "(Debian: apt-get install --no-install-recommends r-base-core r-cran-forecast; "
            "deselect them with -m 'not r_reference')"
        )
    check = subprocess.run(
        [rscript, "-e", 'quit(status = !requireNamespace("forecast", quietly = TRUE))'],
        capture_output=True,
        check=False,
    )
    if check.returncode != 0:
        pytest.fail("R's forecast package is not installed (Debian: r-cran-forecast)")
    return rscript


def _ours(splits: list[Split]) -> dict[OurKey, OurFit]:
    out: dict[OurKey, OurFit] = {}
    for i, split in enumerate(splits):
        costly = i % SUBSAMPLE_STEP == 0
        for method in METHODS:
            for boxcox in (0, 1):
                if boxcox and method in ("ets", "arima") and not costly:
                    continue
                refit = method in SMOOTHING and not boxcox and costly
                out[(split.id, method, boxcox)] = fit_ours(method, boxcox, split, refit)
    return out


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    rscript = _require_r()
    named = os.environ.get("SHIFTBENCH_R_REFERENCE_OUT")
    folder = Path(named) if named else tmp_path_factory.mktemp("r_reference")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "disagreements.txt").write_text("")
    splits = m3_splits(SAMPLE_STEP)[
        : int(os.environ.get("SHIFTBENCH_R_REFERENCE_LIMIT", "0")) or None
    ]
    write_input(folder / "input.csv", splits)
    command = [rscript, str(SCRIPT), str(folder / "input.csv"), str(folder / "r")]
    command.append(f"--arima-boxcox-step={SUBSAMPLE_STEP}")
    start = time.time()
    with (folder / "r.log").open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            ours_start = time.perf_counter()
            ours = _ours(splits)
            seconds_ours = time.perf_counter() - ours_start
            code = process.wait(timeout=R_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if code != 0:
        pytest.fail(f"{' '.join(command)} failed ({code}): {(folder / 'r.log').read_text()}")
    seconds_r = (folder / "r" / "series.csv").stat().st_mtime - start  # R's last write
    print(f"\nR reference run in {folder}: R {seconds_r:.0f} s, shiftbench {seconds_ours:.0f} s")
    return Reference(splits, read_r_output(folder / "r"), ours, folder, seconds_r, seconds_ours)
