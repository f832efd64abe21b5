"""Low-level memory access for the kernels that numba does not offer directly."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from graphkit.config import JIT_OPTIONS


@intrinsic
def _unaligned_load_u64(typingctx, array, position):  # type: ignore[no-untyped-def]
    """The eight bytes of a uint8 array at ``position`` as one little-endian uint64 load.

    No bounds check: the caller makes sure that ``position + 8 <= array.shape[0]``.
    """
    if not (isinstance(array, types.Array) and array.dtype == types.uint8):
        return None
    signature = types.uint64(array, position)

    def codegen(context, builder, signature, arguments):  # type: ignore[no-untyped-def]
        data = context.make_array(signature.args[0])(context, builder, arguments[0]).data
        pointer = builder.bitcast(builder.gep(data, [arguments[1]]), ir.IntType(64).as_pointer())
        return builder.load(pointer, align=1)

    return signature, codegen


@numba.njit(inline="always", **JIT_OPTIONS)
def load_word(data: np.ndarray, position: int, length: int) -> np.uint64:
    """The ``length`` (0 to 8) bytes of ``data`` at ``position`` as a little-endian integer,
    the missing high bytes zero; one load wherever eight bytes are readable."""
    if length <= 0:
        return np.uint64(0)
    if position + 8 <= data.shape[0]:
        word: np.uint64 = _unaligned_load_u64(data, position)  # type: ignore[call-arg]
        if length < 8:
            word &= (np.uint64(1) << np.uint64(8 * length)) - np.uint64(1)
        return word
    value = np.uint64(0)
    for offset in range(min(length, 8)):
        value |= np.uint64(data[position + offset]) << np.uint64(8 * offset)
    return value


@intrinsic
def _prefetch(typingctx, array, position):  # type: ignore[no-untyped-def]
    """LLVM's ``llvm.prefetch`` of ``array[position]`` (a contiguous 1-D array): read, kept in
    all cache levels, data."""
    if not (
        isinstance(array, types.Array)
        and array.ndim == 1
        and array.layout == "C"
        and isinstance(position, types.Integer)
    ):
        return None
    signature = types.void(array, position)

    def codegen(context, builder, signature, arguments):  # type: ignore[no-untyped-def]
        data = context.make_array(signature.args[0])(context, builder, arguments[0]).data
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        name = "llvm.prefetch.p0"
        hint = builder.module.globals.get(name) or ir.Function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]), name
        )
        address = builder.bitcast(builder.gep(data, [arguments[1]]), byte_pointer)
        builder.call(hint, [address, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return signature, codegen


@numba.njit(inline="always", **JIT_OPTIONS)
def prefetch(array: np.ndarray, position: int) -> None:
    """Ask the CPU to bring ``array[position]`` into its caches; no effect on results.

    A hint only: no load, so no fault and no bounds check; a position outside the array
    fetches nothing useful and harms nothing. Used to fetch the rows and table entries of
    nodes a kernel is about to visit in random order, where waiting on memory, one miss at a
    time, is most of the kernel's time.
    """
    _prefetch(array, position)  # type: ignore[call-arg]


PAGE_BYTES = 4096


@numba.njit(**JIT_OPTIONS)
def _touch_pages(array: np.ndarray, step: int) -> None:
    for position in range(0, array.shape[0], step):
        array[position] = 0


def touch_pages_in_background(arrays: Sequence[np.ndarray]) -> threading.Thread:
    """Write a zero on every memory page of the 1-D ``arrays`` on a daemon thread; return it.

    The system maps and zero-fills an array's pages on their first write: for the 480 MB that
    Leiden's aggregated graphs take at 10M edges, 0.8-1.1 s of system time where numpy asks for
    hugepages (the kernel compacts memory to find them) and about 0.25 s on ordinary pages (what
    the ``graphkit`` command sets). Touched on another core while a serial kernel runs, they
    cost nothing on the way. The contents are not kept: for arrays from ``np.empty``. Join the
    thread before the arrays are used.
    """

    def touch() -> None:
        for array in arrays:
            _touch_pages(array, max(1, PAGE_BYTES // array.itemsize))

    thread = threading.Thread(target=touch, name="graphkit-touch-pages", daemon=True)
    thread.start()
    return thread
