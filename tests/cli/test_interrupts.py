"""Interrupted runs leave no partial output: SIGINT (Ctrl-C) and SIGKILL while reading the
input, building the graph, ranking and writing the output. SIGINT prints one line,
``Interrupted``, and exits with status 130, without a traceback.

Each run is a real ``graphkit rank`` process; the test watches it (its open files under
/proc/PID/fd, its progress lines on standard error) and signals it in the phase named.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches /proc/PID/fd"),
]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300,000 accounts with names and 1.5M follows: each phase lasts a moment."""
    folder = tmp_path_factory.mktemp("interrupts")
    rng = np.random.default_rng(5)
    ids = np.array([f"acct{i:06d}" for i in range(300_000)])
    pl.DataFrame(
        {"id": ids, "name": [f"First{i} Last{i}" for i in range(300_000)], "kind": "person"}
    ).write_csv(folder / "accounts.csv")
    edges = rng.integers(0, ids.shape[0], size=(1_500_000, 2))
    pl.DataFrame({"follower": ids[edges[:, 0]], "followed": ids[edges[:, 1]]}).write_csv(
        folder / "follows.csv"
    )
    return folder


@pytest.fixture(scope="module")
def complete_output(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The output of an uninterrupted run, to recognise a complete file."""
    out = tmp_path_factory.mktemp("complete") / "ranks.csv"
    subprocess.run(_command(dataset, out), cwd=ROOT, check=True, capture_output=True)
    return out.read_bytes()


def _command(dataset: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "graphkit.cli.entry", "rank", str(dataset), "--top", "0", "-v",
            "-o", str(output)]  # fmt: skip


def _has_open_file_under(pid: int, folder: Path) -> bool:
    prefix = str(folder) + os.sep
    try:
        links = [str(fd.readlink()) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:  # the process is gone, or a descriptor closed between list and read
        return False
    return any(link.startswith(prefix) for link in links)


def _default_sigint() -> None:
    # A child of a shell job may inherit SIGINT ignored; Python then never raises
    # KeyboardInterrupt. Restore the default, as a terminal would have it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class _Run:
    """A graphkit process whose standard error is collected line by line as it comes."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=_default_sigint,
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_until(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 180
        while not ready():
            assert self.process.poll() is None, f"ended before {what}: {self.lines}"
            assert time.monotonic() < deadline, f"never reached {what}: {self.lines}"
            time.sleep(0.0005)

    def finish(self) -> tuple[int, list[str]]:
        code = self.process.wait(timeout=120)
        self._reader.join(timeout=10)
        return code, self.lines


PHASES = ("reading", "building", "ranking", "writing")


def _reach(run: _Run, phase: str, dataset: Path, out: Path) -> None:
    pid = run.process.pid
    if phase == "reading":
        run.wait_until(lambda: _has_open_file_under(pid, dataset), "reading the input")
    elif phase == "building":
        run.wait_until(lambda: any(x.startswith("Reading tables") for x in run.lines), phase)
    elif phase == "ranking":
        run.wait_until(lambda: any(x.startswith("Building graph") for x in run.lines), phase)
    else:
        run.wait_until(lambda: _has_open_file_under(pid, out), "writing the output")


@pytest.mark.parametrize("phase", PHASES)
def test_sigint_prints_interrupted_and_leaves_nothing(
    phase: str, dataset: Path, complete_output: bytes, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    run = _Run(_command(dataset, out / "ranks.csv"))
    try:
        _reach(run, phase, dataset, out)
        run.process.send_signal(signal.SIGINT)
    finally:
        code, lines = run.finish()
    assert code == 130, lines
    assert lines[-1] == "Interrupted"
    assert not any("Traceback" in line for line in lines)
    left = list(out.iterdir())
    # Only a signal landing between the rename and the end could leave a file, a whole one.
    assert left == [] or (left == [out / "ranks.csv"] and left[0].read_bytes() == complete_output)
    if phase != "writing":
        assert left == []


@pytest.mark.parametrize("phase", PHASES)
def test_sigkill_leaves_no_file(phase: str, dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    run = _Run(_command(dataset, out / "ranks.csv"))
    try:
        _reach(run, phase, dataset, out)
        run.process.send_signal(signal.SIGKILL)
    finally:
        code, _ = run.finish()
    assert code == -signal.SIGKILL
    assert list(out.iterdir()) == [], "a killed run must leave no file, partial or temporary"


def test_sigint_during_start_up_is_also_clean(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    run = _Run(_command(ROOT / "graphkit" / "data" / "demo", out / "ranks.csv"))
    try:
        time.sleep(0.3)  # importing numpy, polars and the kernels
        run.process.send_signal(signal.SIGINT)
    finally:
        code, lines = run.finish()
    if code == 0:  # a fast machine ranked the demo in 0.3 s: nothing to interrupt
        assert (out / "ranks.csv").is_file()
        return
    assert code == 130, lines
    assert lines[-1] == "Interrupted"
    assert not any("Traceback" in line for line in lines)
    assert list(out.iterdir()) == []


FINALIZER_PROBE = """
import os, signal, sys, time
import graphkit.cli.main
if sys.argv[1] == "graphkit":
    signal.signal(signal.SIGINT, graphkit.cli.main._interrupt)
    signal.signal(signal.SIGALRM, graphkit.cli.main._interrupt)
class Freed:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # the signal arrives while the finalizer runs
try:
    Freed()
    time.sleep(2)
    print("went on")
except KeyboardInterrupt:
    print("interrupted")
"""


@pytest.mark.parametrize(
    ("handler", "outcome"), [("python", "went on"), ("graphkit", "interrupted")]
)
def test_sigint_inside_a_finalizer_still_interrupts(handler: str, outcome: str) -> None:
    # llvmlite frees numba's code in __del__; Python drops a KeyboardInterrupt raised there.
    result = subprocess.run(
        [sys.executable, "-c", FINALIZER_PROBE, handler], capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.stdout.strip() == outcome, result.stderr
