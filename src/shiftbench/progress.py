"""The progress of ``shiftbench run``: cells done of total, the cell in progress with its
elapsed time, and the time left; a bar on a terminal, one plain line per finished cell
otherwise (logs, pipes, CI).

The bar is rich's, not tqdm's: rich redraws the bar from its own thread, so the running cell's
elapsed time counts up between cells without a ticker of ours (tqdm redraws only when told); it
takes a column of our own for the time left from computed cells; it prints a failed cell's line
above the bar, and other lines written to stderr meanwhile, without breaking it; and it is
installed already, as a dependency of Keras. It is imported only when stderr is a terminal.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn, TaskID


class ProgressDisplay:
    """Cells done of total, the cell in progress with its elapsed time, and the time left: a bar
    on a terminal, one plain line per finished cell otherwise (logs, pipes, CI).

    The bar is rich's :class:`~rich.progress.Progress`, redrawn in place by its own thread
    (every ``TICK_S`` seconds) and gone when the run ends; a failed cell, and the last one,
    print their line above it. The time left is estimated from computed cells only (cached
    ones cost nothing and would make it too hopeful), and shown once it means something: after
    ``MIN_FOR_ESTIMATE`` computed cells. A cached cell is reported as "cached", never with the
    time it took when computed.
    """

    MIN_FOR_ESTIMATE = 3
    TICK_S = 0.5

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None) -> None:
        import threading

        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.start = time.monotonic()
        self.lock = threading.Lock()
        self.done = 0
        self.total = 0
        self.computed = 0
        self.computed_s = 0.0
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def estimate(self) -> str:
        """The time left, or "" while it would not mean much yet."""
        if self.computed < self.MIN_FOR_ESTIMATE or self.done >= self.total:
            return ""
        left = self.computed_s / self.computed * (self.total - self.done)
        return f"time left ~{_clock(left)}"

    def _update(self, **fields: Any) -> None:
        """Draw the bar (started on the first call) with these fields (``cell`` and ``since``,
        or ``eta``); the caller holds the lock."""
        new = self.bar is None
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress

            console = Console(file=self.stream, force_terminal=True, force_interactive=True)
            self.bar = Progress(
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                _status_column(),
                console=console,
                transient=True,  # the bar is gone when the run ends
                refresh_per_second=1.0 / self.TICK_S,
                redirect_stdout=False,  # stdout is the run directory's path alone
            )
            self.task = self.bar.add_task(
                "", total=self.total, start_s=self.start, cell="", since=self.start, eta=""
            )
        assert self.task is not None
        self.bar.update(self.task, completed=self.done, total=self.total, **fields)
        if new:
            self.bar.start()  # drawn at once, then by rich's thread

    def starting(self, done: int, total: int, label: str) -> None:
        if not self.tty:
            return
        with self.lock:
            self.done, self.total = done, total
            self._update(cell=label, since=time.monotonic())

    def finished(self, done: int, total: int, cell: object) -> None:
        from shiftbench.benchmarks.backtest import CellResult

        assert isinstance(cell, CellResult)
        seed = "" if cell.seed is None else f" seed {cell.seed}"
        if not cell.ok:
            status = f"FAILED: {cell.error}"
        elif cell.cached:
            status = "cached"
        else:
            status = f"ok ({cell.wall_time_s:.1f} s)"
        line = f"[{done}/{total}] {cell.dataset} / {cell.model}{seed}: {status}"
        with self.lock:
            self.done, self.total = done, total
            if cell.ok and not cell.cached:
                self.computed += 1
                self.computed_s += cell.wall_time_s
            if not self.tty:
                self.stream.write(line + "\n")
                self.stream.flush()
                return
            self._update(eta=self.estimate())
            if not cell.ok or done >= total:  # the bar shows progress; failures get a line
                assert self.bar is not None
                self.bar.console.print(
                    line, markup=False, highlight=False, emoji=False, soft_wrap=True
                )

    def close(self) -> None:
        """Stop the bar's thread and take the bar away."""
        with self.lock:
            if self.bar is not None:
                self.bar.stop()
                self.bar = None


def _status_column() -> ProgressColumn:
    """The bar's words: the run's elapsed time, the running cell with its own, the time left
    (the task's fields ``start_s``, ``cell``, ``since`` and ``eta``)."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class Status(ProgressColumn):
        def render(self, task: Task) -> Text:
            now = time.monotonic()
            fields = task.fields
            parts = [f"elapsed {_clock(now - fields['start_s'])}"]
            if fields["cell"]:
                parts.append(f"{fields['cell']} ({_clock(now - fields['since'])})")
            if fields["eta"]:
                parts.append(fields["eta"])
            return Text("  ".join(parts), no_wrap=True, overflow="ellipsis")

    return Status()


def _clock(seconds: float) -> str:
    """Elapsed or remaining time on a progress line: 42s, 3m05s, 1h02m.

    >>> _clock(42.4), _clock(185), _clock(3725)
    ('42s', '3m05s', '1h02m')
    """
    total = max(0, round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    return f"{minutes // 60}h{minutes % 60:02d}m"
