"""The first run after installing: kernels compile once, say so once, and cache in the user's
cache directory; small inputs use the serial twins of the parallel kernels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.cli.main import _announce_compilation
from graphkit.config import SERIAL_BELOW, SizedKernel, first_compile_seconds
from graphkit.kernels.csr import _stable_order
from graphkit.progress import Progress

MESSAGE = "compiling graphkit's kernels for this machine, once: about"


def _graphkit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graphkit.cli.entry", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )


@pytest.mark.slow
def test_first_run_says_it_compiles_once_and_the_second_loads(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    first = _graphkit("rank", "--demo", "--top", "20", "-o", str(tmp_path / "a.csv"), env=env)
    assert first.stderr.count(MESSAGE) == 1, first.stderr
    assert f"about {first_compile_seconds('rank')} s" in first.stderr
    assert any(cache.rglob("*.nbi"))  # the kernels went to the cache directory given
    second = _graphkit("rank", "--demo", "--top", "20", "-o", str(tmp_path / "b.csv"), env=env)
    assert MESSAGE not in second.stderr
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_the_compile_note_goes_through_progress_and_respects_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _announce_compilation("communities")
    assert capsys.readouterr().err == f"{MESSAGE} {first_compile_seconds('communities')} s\n"
    for quiet in (True, False):
        progress = Progress(quiet=quiet)
        with click.Context(click.Command("rank")) as context:
            context.meta["graphkit.progress"] = progress
            notes: list[str] = []
            progress.note = notes.append  # type: ignore[method-assign]
            _announce_compilation("rank")
        assert notes == [f"{MESSAGE} {first_compile_seconds('rank')} s"]
    assert capsys.readouterr().err == ""


def test_cache_goes_to_the_user_cache_dir_unless_numba_cache_dir_is_set(tmp_path: Path) -> None:
    show = (
        "import graphkit.config, numba, os; "
        "print(numba.config.CACHE_DIR, os.environ['NUMBA_CACHE_DIR'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    shown = subprocess.run(
        [sys.executable, "-c", show], capture_output=True, text=True, env=env, check=True
    )
    expected = str(tmp_path / "xdg" / "graphkit" / "numba")
    assert shown.stdout.split() == [expected, expected]
    assert Path(expected).is_dir()
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")
    shown = subprocess.run(
        [sys.executable, "-c", show], capture_output=True, text=True, env=env, check=True
    )
    assert shown.stdout.split() == [str(tmp_path / "mine")] * 2


def test_small_inputs_run_the_serial_twin() -> None:
    def kernel(values: np.ndarray, out: np.ndarray) -> None:
        out[:] = values

    sized = SizedKernel(kernel)
    small = np.zeros(SERIAL_BELOW - 1)
    large = np.zeros(SERIAL_BELOW)
    assert sized.choose(small, np.empty(3)) is sized.serial
    assert sized.choose(np.empty(3), large) is sized.parallel
    assert sized.serial.py_func.__qualname__.endswith("_serial")  # its own cache files
    assert sized.__name__ == "kernel"


@settings(max_examples=150, deadline=None)
@given(
    keys=st.lists(st.integers(-3, 40), max_size=300),
    start=st.integers(0, 10),
)
def test_stable_order_matches_numpys_stable_argsort(keys: list[int], start: int) -> None:
    values = np.array(keys, dtype=np.int32)
    begin = min(start, len(keys))
    order = _stable_order(values, begin, len(keys))
    expected = np.argsort(values[begin:], kind="stable")
    assert np.array_equal(order, expected)
