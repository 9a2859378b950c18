"""HDF5 output, XDMF sidecars, crash safety and checkpoint/restart.

* :class:`HDF5Writer` — the Simulation's writer (SWMR, flushed every frame, ``.xmf`` sidecar).
* :func:`save` — one snapshot; :func:`open` (lazy) / :func:`load` (in memory) — reading.
* :func:`recover` — make the file of a killed run readable by every HDF5 tool; :func:`upgrade` —
  rewrite a file of an older format version in the current layout.
* :func:`write_checkpoint` / :func:`read_checkpoint` / :func:`restart` — atomic checkpoints.

The file layout is described in :mod:`fieldgrad.io.layout`.
"""
from .checkpoint import read_checkpoint, restart, write_checkpoint
from .reader import FieldView, Output, OutputFile, load, open
from .recover import recover, upgrade
from .writer import HDF5Writer, save
from .xdmf import write_xdmf, xdmf_path

__all__ = ["HDF5Writer", "save", "open", "load", "recover", "upgrade", "restart", "write_checkpoint",
           "read_checkpoint", "OutputFile", "FieldView", "Output", "write_xdmf", "xdmf_path"]
