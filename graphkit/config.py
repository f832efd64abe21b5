"""Process-wide settings: numba compilation flags, where compiled kernels are cached, and the
thread count.

Kernels read their numba flags from here so that no kernel hard-codes them. The environment
variables ``GRAPHKIT_NUMBA_CACHE`` and ``GRAPHKIT_NUMBA_FASTMATH`` (``0``/``1``) override the
defaults before the kernels are first imported. Compiled kernels are cached in the user's cache
directory (``~/.cache/graphkit/numba`` on Linux) unless ``NUMBA_CACHE_DIR`` names another:
numba's own default, a ``__pycache__`` beside the installed sources, is often read-only.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numba
import numpy as np
from numba.core import event


def user_cache_dir() -> Path:
    """The directory graphkit caches its compiled kernels in when ``NUMBA_CACHE_DIR`` is unset."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "graphkit" / "Cache" / "numba"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "graphkit" / "numba"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "graphkit" / "numba"


def _use_user_cache_dir() -> None:
    """Point numba's cache at :func:`user_cache_dir` unless the user chose a directory.

    Set before any kernel is decorated: numba picks a function's cache directory then.
    Where the directory cannot be made (no home directory), numba's default stays.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    directory = user_cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(directory)  # for numba's config reloads
    numba.config.CACHE_DIR = str(directory)  # type: ignore[attr-defined]


_use_user_cache_dir()

NUMBA_CACHE: bool = os.environ.get("GRAPHKIT_NUMBA_CACHE", "1") != "0"
# fastmath would let LLVM reorder floating-point sums, which breaks run-to-run reproducibility.
NUMBA_FASTMATH: bool = os.environ.get("GRAPHKIT_NUMBA_FASTMATH", "0") == "1"
NUMBA_PARALLEL: bool = True

JIT_OPTIONS: dict[str, bool] = {"cache": NUMBA_CACHE, "fastmath": NUMBA_FASTMATH, "nogil": True}
PARALLEL_JIT_OPTIONS: dict[str, bool] = {**JIT_OPTIONS, "parallel": NUMBA_PARALLEL}
# Inputs smaller than this (elements of the largest array argument) run a kernel's serial
# twin: it compiles in a fifth of the time of the parallel one and, on so little work, runs
# about as fast.
SERIAL_BELOW: Final = 1 << 20


class SizedKernel:
    """A kernel with a parallel and a serial twin, each compiled on its first call.

    Calls with small arrays (below :data:`SERIAL_BELOW` elements) or on one thread run the
    serial twin, so the first run on a small input never waits for the parallel
    compilation (several seconds a kernel). Both twins run the same code (``numba.prange``
    is ``range`` in the serial one), and the kernels' results do not depend on the number of
    threads, so the two give identical results.
    """

    def __init__(self, function: Callable[..., Any]) -> None:
        jit: Any = numba.njit
        self.parallel = jit(**PARALLEL_JIT_OPTIONS)(function)
        self.serial = jit(**JIT_OPTIONS)(_twin(function, "_serial"))
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any) -> Any:
        return self.choose(*args)(*args)

    def choose(self, *args: Any) -> Any:
        """The twin that a call with ``args`` runs."""
        size = max((value.size for value in args if isinstance(value, np.ndarray)), default=0)
        if size < SERIAL_BELOW or numba.get_num_threads() == 1:
            return self.serial
        return self.parallel


def parallel_kernel(function: Callable[..., Any]) -> SizedKernel:
    """Decorate a kernel with ``numba.prange`` loops: a :class:`SizedKernel`."""
    return SizedKernel(function)


def _twin(function: Callable[..., Any], suffix: str) -> Callable[..., Any]:
    """A copy of ``function`` under another name: numba keys its cache files by name, and
    the twins must not load each other's compiled code."""
    twin = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__ + suffix,
        function.__defaults__,
        function.__closure__,
    )
    twin.__qualname__ = function.__qualname__ + suffix
    twin.__module__ = function.__module__
    twin.__doc__ = function.__doc__
    twin.__kwdefaults__ = function.__kwdefaults__
    return twin


def set_threads(threads: int | None) -> int:
    """Set the number of threads the numba kernels use and return the number in force.

    Parameters
    ----------
    threads
        Number of threads, ``None`` or ``0`` for every core numba sees.
    """
    limit = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    count = limit if not threads else max(1, min(int(threads), limit))
    numba.set_num_threads(count)
    return count


def prepare_kernels_in_background() -> threading.Thread:
    """Start numba's one-time set-up of its CPU target on a daemon thread and return it.

    The first kernel a process calls, even one loaded from numba's cache, waits for this
    set-up (0.5-0.7 s measured: numba imports its implementations, and SciPy where installed).
    Started before the input is read, it runs while pyarrow parses with the GIL released.
    It holds numba's compiler lock, so a kernel called meanwhile waits for it to finish.
    """

    def prepare() -> None:
        from numba.core.compiler_lock import global_compiler_lock
        from numba.core.registry import cpu_target

        with global_compiler_lock:
            cpu_target.target_context.refresh()

    thread = threading.Thread(target=prepare, name="graphkit-jit-setup", daemon=True)
    thread.start()
    return thread


class _FirstCompile(event.Listener):
    """Calls ``announce`` once, when numba starts compiling the first graphkit kernel (a
    kernel loaded from the cache is no compilation)."""

    def __init__(self, announce: Callable[[], None]) -> None:
        self.announce: Callable[[], None] | None = announce

    def on_start(self, happening: event.Event) -> None:
        dispatcher = happening.data.get("dispatcher") if happening.data else None
        module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
        if self.announce is not None and module.startswith("graphkit."):
            announce, self.announce = self.announce, None
            announce()

    def on_end(self, happening: event.Event) -> None:
        pass


def on_first_compile(announce: Callable[[], None]) -> None:
    """Call ``announce`` (once) if this process compiles a kernel, before it starts.

    A kernel compiles on its first call after installing graphkit or numba, on a new
    processor, or with an empty cache directory; later runs load it from the cache.
    """
    event.register("numba:compile", _FirstCompile(announce))  # type: ignore[no-untyped-call]


# CPU seconds the first run of each command spent compiling with an empty cache (the first
# run's less the second's, README "First run"); commands that share kernels compile less
# after one another.
_FIRST_COMPILE_SECONDS: Final = {
    "rank": 8,
    "communities": 17,
    "brands": 10,
    "experts": 10,
    "explain": 12,
    "paths": 12,
    "report": 21,
    "export": 12,
}


def first_compile_seconds(command: str | None) -> int:
    """About how long ``command``'s kernels take to compile on a first run."""
    return _FIRST_COMPILE_SECONDS.get(command or "", 15)
