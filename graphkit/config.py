"""Process-wide settings: numba compilation flags and the thread count.

Kernels read their numba flags from here so that no kernel hard-codes them. The environment
variables ``GRAPHKIT_NUMBA_CACHE`` and ``GRAPHKIT_NUMBA_FASTMATH`` (``0``/``1``) override the
defaults before the kernels are first imported.
"""

from __future__ import annotations

import os
import threading

import numba

NUMBA_CACHE: bool = os.environ.get("GRAPHKIT_NUMBA_CACHE", "1") != "0"
# fastmath would let LLVM reorder floating-point sums, which breaks run-to-run reproducibility.
NUMBA_FASTMATH: bool = os.environ.get("GRAPHKIT_NUMBA_FASTMATH", "0") == "1"
NUMBA_PARALLEL: bool = True

JIT_OPTIONS: dict[str, bool] = {"cache": NUMBA_CACHE, "fastmath": NUMBA_FASTMATH, "nogil": True}
PARALLEL_JIT_OPTIONS: dict[str, bool] = {**JIT_OPTIONS, "parallel": NUMBA_PARALLEL}


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
