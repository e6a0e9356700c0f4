"""The HTML report in a real browser: no console error, no network request, and a screenshot.

Needs Chromium (Debian's ``chromium``, installed by ``.ci/run``) and the ``playwright`` package
(driving that Chromium; no browser download). Skipped where either is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import shiftbench as sb

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")


def test_report_renders_without_errors_or_network(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    # every column a leaderboard can have: intervals, CRPS, a seeded model's mean ± sd
    run = sb.run(
        datasets=["sales"],
        models=["naive", "seasonal_naive", "drift", "arima", "arima_garch", "lstm_diff"],
        seeds=[0, 1],
        out=str(tmp_path),
        model_params={
            "arima": {"order": [1, 1, 0]},
            "arima_garch": {"order": [1, 1, 0]},
            "lstm_diff": {"epochs": 2, "units": [4]},
        },
    )
    report = run.path / "report.html"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert page.locator("svg").count() >= 5
        assert page.locator(".badge.right_shift").count() >= 1
        assert page.locator("table.board").count() >= 4
        # every table fits its container: no column scrolls out of view, on screen or in print
        assert _overflowing(page) == []
        shot = run.path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 690, "height": 1000})  # A4 less 14 mm margins, 96 dpi
        assert _overflowing(page) == []
        pdf = run.path / "report.pdf"
        page.pdf(path=str(pdf), format="A4")
        browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
    assert shot.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000


OVERFLOW_JS = """() => {
  const out = [];
  for (const t of document.querySelectorAll('table')) {
    const box = t.parentElement;
    const body = document.body.getBoundingClientRect().right;
    const excess = Math.max(t.scrollWidth - box.clientWidth,
                            t.getBoundingClientRect().right - body);
    if (excess > 1) out.push(`${t.className || 'table'}: ${excess}px too wide`);
  }
  return out;
}"""


def _overflowing(page: Any) -> list[str]:
    """Tables wider than their container (or running past the body), with the excess."""
    result: list[str] = page.evaluate(OVERFLOW_JS)
    return result


def test_the_events_section_fits_on_screen_and_in_print(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    run = sb.run(
        datasets=["ehi"],
        models=["naive", "arima", "event_persistence", "event_climatology", "lstm_event"],
        seeds=[0, 1],
        out=str(tmp_path),
        model_params={
            "arima": {"order": [1, 0, 0]},
            "lstm_event": {"epochs": 2, "units": [4], "window": 5},
        },
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((run.path / "report.html").as_uri())
        page.wait_for_load_state("load")
        assert page.locator("table.board-events").count() == 1
        assert page.locator("table.cm").count() == 5
        assert _overflowing(page) == []
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 690, "height": 1000})
        assert _overflowing(page) == []
        browser.close()
