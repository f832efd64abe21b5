"""numba kernels on raw numpy arrays; private to graphkit (use graphkit.algorithms)."""
