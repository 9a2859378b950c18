"""HDF5 output, XDMF sidecars, crash safety and checkpoint/restart.

* :class:`HDF5Writer` — the Simulation's writer (SWMR, flushed every frame, ``.xmf`` sidecar).
* :func:`save` — one snapshot; :func:`open` (lazy) / :func:`load` (in memory) — reading.
* :func:`recover` — make the file of a killed run readable by every HDF5 tool; :func:`upgrade` —
  rewrite a file of an older format version in the current layout.
* :func:`write_checkpoint` / :func:`read_checkpoint` / :func:`restart` — atomic checkpoints.

The file layout is described in :mod:`fieldgrad.io.layout`.
"""
from .checkpoint import read_checkpoint, write_checkpoint
from .reader import FieldView, Output, OutputFile, load, open
from .recover import recover, upgrade
from .writer import HDF5Writer, save
from .xdmf import write_xdmf, xdmf_path

__all__ = ["HDF5Writer", "save", "open", "load", "recover", "upgrade", "restart", "write_checkpoint",
           "read_checkpoint", "OutputFile", "FieldView", "Output", "write_xdmf", "xdmf_path"]


def restart(path, **overrides):
    """Rebuild a Simulation from a checkpoint: :meth:`fieldgrad.Simulation.restart`.

    The Simulation lives above :mod:`fieldgrad.io` (it writes through it), so this convenience
    imports it when called; nothing in :mod:`fieldgrad.io`'s modules imports the simulation.

    Parameters
    ----------
    path : str or PathLike
    **overrides
        Passed to :meth:`fieldgrad.Simulation.from_state`.

    Returns
    -------
    fieldgrad.Simulation
    """
    from ..simulation import Simulation

    return Simulation.restart(path, **overrides)
