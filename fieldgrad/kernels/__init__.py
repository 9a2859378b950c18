"""Stencil kernels.

``points`` holds every point formula once, as plain Python functions of neighbour values;
``cpu`` wraps them in Numba ``@njit(parallel=True, cache=True)`` sweeps; a CUDA module wraps
the same functions with ``cuda.jit(device=True)``.
"""
