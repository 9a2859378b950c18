"""The one module that imports ``numba.cuda``.

:func:`load` imports Numba's CUDA target (the ``numba-cuda`` package, extra ``fieldgrad[cuda]``)
on first use and checks that a device, or the CUDA simulator, is there; :func:`kernel_set` hands this
module's ``cuda`` to the ``build`` function of each concept's CUDA module
(:mod:`fieldgrad.kernels.cuda`, :mod:`fieldgrad.heat.cuda`, :mod:`fieldgrad.solvers.cuda_multigrid`,
:mod:`fieldgrad.solvers.cuda_stencil_mg`), which own their kernels.  Array helpers move data between host and device:
:func:`as_device` accepts NumPy arrays (copied), Numba device arrays and anything with
``__cuda_array_interface__`` such as CuPy arrays (wrapped, no copy); :func:`to_host` copies back.

Setting ``NUMBA_ENABLE_CUDASIM=1`` in the environment before the backend is first used runs
every kernel in Numba's CUDA simulator (slow, for tests without a GPU).

Example
-------
>>> if fg.backends.cuda_available():
...     d = as_device(np.zeros(3))
...     _ = to_host(d)
"""
from __future__ import annotations

import os
import types

import numpy as np

from ..errors import BackendError, ParameterError, ShapeError, describe

__all__ = ["load", "kernel_set", "simulator", "as_device", "to_host", "empty", "zeros", "is_device_array",
           "synchronize", "INSTALL_HINT"]

INSTALL_HINT = ("pip install 'fieldgrad[cuda]' (that is numba-cuda[cu12] for CUDA 12 drivers, or "
                "numba-cuda[cu13] for CUDA 13 drivers)")

_state = {"cuda": None, "error": None}


def load():
    """Import Numba's CUDA target and check that it can run.

    Returns
    -------
    module
        ``numba.cuda`` (the simulator's module when ``NUMBA_ENABLE_CUDASIM=1``).

    Raises
    ------
    BackendError
        ``numba-cuda`` is not installed (the message says what to install), or no CUDA device /
        driver was found.
    """
    if _state["cuda"] is not None:
        return _state["cuda"]
    want_sim = os.environ.get("NUMBA_ENABLE_CUDASIM", "0").strip() not in ("", "0")
    try:
        from numba.core import config

        if want_sim and not config.ENABLE_CUDASIM:
            config.reload_config()  # the variable was set after numba was imported
        from numba import cuda
    except ImportError as exc:
        raise BackendError(f"backend 'cuda' needs Numba's CUDA target, which is not installed "
                           f"({exc}); {INSTALL_HINT}") from exc
    except Exception as exc:  # a broken install raises all sorts of things on import
        raise BackendError(f"backend 'cuda': importing numba.cuda failed ({type(exc).__name__}: {exc}); "
                           f"{INSTALL_HINT}") from exc
    try:
        ok = bool(cuda.is_available())
    except Exception as exc:  # pragma: no cover - driver-specific
        ok, why = False, f"{type(exc).__name__}: {exc}"
    else:
        why = "numba.cuda.is_available() is False"
    if not ok:
        raise BackendError(
            f"backend 'cuda': no CUDA GPU or driver was found ({why}). Check the NVIDIA driver with "
            "nvidia-smi, and that the numba-cuda extra matches it (numba-cuda[cu12] or [cu13]); "
            "to run the CUDA kernels without a GPU (slowly) set NUMBA_ENABLE_CUDASIM=1 before Python starts"
        )
    _state["cuda"] = cuda
    return cuda


def simulator():
    """True when the kernels run in Numba's CUDA simulator."""
    load()
    from numba.core import config

    return bool(config.ENABLE_CUDASIM)


def kernel_set(build):
    """A function returning the kernels of ``build(numba.cuda)`` as a namespace, built on first call.

    Each concept module that owns CUDA code (:mod:`fieldgrad.kernels.cuda`,
    :mod:`fieldgrad.heat.cuda`, :mod:`fieldgrad.solvers.cuda_multigrid`, ...) defines
    ``kernels = kernel_set(build)``; nothing here needs to know those modules.

    Parameters
    ----------
    build : callable
        ``build(cuda) -> dict`` of name -> kernel.

    Returns
    -------
    callable
        ``kernels()`` -> ``types.SimpleNamespace`` of the built kernels.
    """
    built = []

    def kernels():
        if not built:
            built.append(types.SimpleNamespace(**build(load())))
        return built[0]

    return kernels


def synchronize():
    """Wait for every queued kernel (for timings)."""
    load().synchronize()


def is_device_array(x):
    """True for Numba device arrays and objects exposing ``__cuda_array_interface__`` (CuPy ...)."""
    if isinstance(x, np.ndarray):
        return False
    return hasattr(x, "__cuda_array_interface__") or (hasattr(x, "copy_to_host") and hasattr(x, "shape"))


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def as_device(x, name="u", dtype=None, shape=None):
    """A Numba device array for ``x`` without copying device data.

    Parameters
    ----------
    x : ndarray, Numba device array, or object with ``__cuda_array_interface__`` (e.g. CuPy)
        Host arrays are copied to the device (integers become float64); device arrays are used
        as they are (they must be C-contiguous and float32/float64).
    name : str
        Argument name for error messages.
    dtype : numpy dtype, optional
        Required dtype (host data is converted, device data must already have it).
    shape : tuple, optional
        Required shape.

    Returns
    -------
    Numba device array
    """
    cuda = load()
    if is_device_array(x):
        if hasattr(x, "copy_to_host"):
            d = x
        elif hasattr(cuda, "as_cuda_array"):
            d = cuda.as_cuda_array(x)  # zero-copy view of e.g. a CuPy array
        else:
            raise BackendError(f"{name}: the CUDA simulator cannot wrap {type(x).__name__} arrays "
                               "(__cuda_array_interface__); pass a NumPy or Numba device array")
        if np.dtype(d.dtype) not in _FLOATS or (dtype is not None and np.dtype(d.dtype) != np.dtype(dtype)):
            want = np.dtype(dtype) if dtype is not None else "float32 or float64"
            raise ParameterError(f"{name} is a device array of dtype {d.dtype}; accepted: {want} "
                                 "(convert on the device first)")
        if not d.is_c_contiguous():
            raise ShapeError(f"{name} must be a C-contiguous device array")
    else:
        arr = np.asarray(x)
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        elif arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        elif arr.dtype not in _FLOATS:
            raise ParameterError(f"{name} has dtype {arr.dtype}; accepted: float32, float64 (integers are converted)")
        d = cuda.to_device(np.ascontiguousarray(arr))
    if shape is not None and tuple(d.shape) != tuple(shape):
        raise ShapeError(f"{name} has shape {tuple(d.shape)}; expected {tuple(shape)}")
    return d


def to_host(x):
    """Copy a device array (Numba or ``__cuda_array_interface__``) to a NumPy array.

    NumPy arrays are returned as they are.

    Parameters
    ----------
    x : array

    Returns
    -------
    ndarray
    """
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "copy_to_host"):
        return x.copy_to_host()
    if hasattr(x, "__cuda_array_interface__"):
        return as_device(x, "x").copy_to_host()
    raise ParameterError(f"to_host needs a device or NumPy array; got {describe(x)}")


def empty(shape, dtype):
    """Uninitialised device array."""
    return load().device_array(tuple(shape), dtype=np.dtype(dtype))


def zeros(shape, dtype):
    """Device array of zeros (copied from the host: use for small arrays)."""
    return load().to_device(np.zeros(np.atleast_1d(shape).tolist(), dtype=dtype))


def output(out, shape, dtype, name="out"):
    """Check a caller's device ``out`` or allocate one."""
    if out is None:
        return empty(shape, dtype)
    d = as_device(out, name) if is_device_array(out) else None
    if d is None:
        raise ShapeError(f"{name} must be a device array with backend 'cuda'; got {describe(out)}")
    if tuple(d.shape) != tuple(shape) or np.dtype(d.dtype) != np.dtype(dtype):
        raise ShapeError(f"{name} must be a {np.dtype(dtype)} device array of shape {tuple(shape)}; "
                         f"got {d.dtype} {tuple(d.shape)}")
    return d
