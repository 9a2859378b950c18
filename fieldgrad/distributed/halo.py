"""Ghost-layer (halo) exchange between neighbouring ranks with non-blocking sends and receives.

One layer per face: the operators are second order and their sweeps read face neighbours only
(no edges or corners).  Periodic axes get their neighbours from the Cartesian communicator, so a
periodic axis held by a single rank exchanges with itself through the same code.
"""
from __future__ import annotations

import numpy as np

__all__ = ["HaloExchange"]


class HaloExchange:
    """Reusable buffers and requests for exchanging the face layers of one block.

    Parameters
    ----------
    dec : Decomposition
    dtype : numpy dtype

    Example
    -------
    >>> halo = HaloExchange(dec, np.float64)   # doctest: +SKIP
    >>> halos = halo.exchange(u_local)         # doctest: +SKIP

    ``exchange`` returns ``[[lo, hi], ...]`` per axis, ``None`` at physical faces.
    """

    def __init__(self, dec, dtype):
        self.dec = dec
        self.dtype = np.dtype(dtype)
        nd = len(dec.shape)
        self.send = []
        self.recv = []
        for axis in range(nd):
            fshape = dec.shape[:axis] + dec.shape[axis + 1:]
            self.send.append([np.empty(fshape, self.dtype), np.empty(fshape, self.dtype)])
            self.recv.append([np.empty(fshape, self.dtype), np.empty(fshape, self.dtype)])
        self._pending = None
        self.bytes_per_exchange = sum(2 * b.nbytes for pair in self.recv for b in pair)

    def start(self, u):
        """Post the receives and sends of an exchange (non-blocking); :meth:`finish` completes it.

        Work that does not need the halos (filling physical ghosts, say) can run in between.
        """
        MPI = self.dec.MPI
        cart = self.dec.cart
        nd = u.ndim
        reqs = []
        out = []
        for axis in range(nd):
            lo, hi = self.dec.neighbours[axis]
            pair = [None, None]
            for side, nbr in ((0, lo), (1, hi)):
                if nbr == MPI.PROC_NULL:
                    continue
                # my low ghost comes with tag 2*axis (the neighbour sent its high face), high with 2*axis+1
                reqs.append(cart.Irecv(self.recv[axis][side], source=nbr, tag=2 * axis + side))
                pair[side] = self.recv[axis][side]
            out.append(pair)
        for axis in range(nd):
            lo, hi = self.dec.neighbours[axis]
            for side, nbr in ((0, lo), (1, hi)):
                if nbr == MPI.PROC_NULL:
                    continue
                sl = [slice(None)] * nd
                sl[axis] = 0 if side == 0 else -1
                buf = self.send[axis][side]
                np.copyto(buf, u[tuple(sl)])
                # my low face is the low neighbour's high ghost: tag 2*axis+1, and vice versa
                reqs.append(cart.Isend(buf, dest=nbr, tag=2 * axis + (1 - side)))
        self._pending = (reqs, out)

    def finish(self):
        """Wait for the exchange posted by :meth:`start`; returns the halos as :meth:`exchange` does."""
        reqs, out = self._pending
        self._pending = None
        self.dec.MPI.Request.Waitall(reqs)
        return out

    def exchange(self, u):
        """Send this block's boundary layers and receive the neighbours'.

        Parameters
        ----------
        u : ndarray of the block shape

        Returns
        -------
        list of [lo, hi] per axis: the neighbour's layer beyond each face, or ``None`` where the
        face is physical.  The arrays are internal buffers, overwritten by the next exchange.
        """
        self.start(u)
        return self.finish()

    def exchange_copy(self, u):
        """Like :meth:`exchange` but returns copies (safe to keep across exchanges)."""
        return [[None if g is None else g.copy() for g in pair] for pair in self.exchange(u)]
