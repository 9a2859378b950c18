"""Wide (multi-layer) halos with edges and corners, for overlapping Schwarz subdomains.

A rank's *extended block* is its own nodes plus ``widths[a] = (lo, hi)`` layers of each
neighbour along every cut axis.  :meth:`OverlapExchange.fill` copies the neighbours' values into
those layers, and :meth:`OverlapExchange.accumulate` does the transpose: every rank adds what
it holds in its extra layers back into the owners' nodes.  Both go axis by axis (non-blocking
sends/receives per axis), so edge and corner regions travel through the face neighbours and no
diagonal messages are needed: ``fill`` sends slabs over the full extended range of the other
axes (later axes overwrite what earlier ones sent there); ``accumulate`` runs the axes in
reverse and sends over the owned range of the axes already done, so nothing is counted twice.
"""
from __future__ import annotations

import numpy as np

__all__ = ["OverlapExchange", "overlap_widths"]


def overlap_widths(dec, delta):
    """Layers borrowed from each neighbour: ``min(delta, neighbour block size - 1)`` on cut faces of
    axes split over two or more ranks, 0 on physical faces and on periodic axes held by one rank.

    The ``- 1`` keeps one more layer of the neighbour inside the global grid for the subdomain's
    homogeneous Dirichlet closure.
    """
    out = []
    for a, (rng, c, d) in enumerate(zip(dec.ranges, dec.coords, dec.dims)):
        pair = []
        for s, step in ((0, -1), (1, 1)):
            if dec.physical[a][s] or d == 1:
                pair.append(0)
            else:
                lo, hi = rng[(c + step) % d]
                pair.append(int(min(delta, hi - lo - 1)))
        out.append(tuple(pair))
    return out


class OverlapExchange:
    """Fill / accumulate the borrowed layers of an extended block.

    Parameters
    ----------
    dec : Decomposition
    delta : int
        Overlap in layers (the same on every rank); see :func:`overlap_widths`.

    Example
    -------
    >>> ex = OverlapExchange(dec, 4)   # doctest: +SKIP
    >>> ext[ex.owned] = r; ex.fill(ext)                     # doctest: +SKIP
    """

    def __init__(self, dec, delta, dtype=np.float64):
        self.dec = dec
        self.delta = int(delta)
        nd = len(dec.shape)
        self.widths = overlap_widths(dec, self.delta)
        self.shape = tuple(n + lo + hi for n, (lo, hi) in zip(dec.shape, self.widths))
        self.owned = tuple(slice(lo, lo + n) for n, (lo, _) in zip(dec.shape, self.widths))
        self.stages = []
        for a in range(nd):
            lo_w, hi_w = self.widths[a]
            n = dec.shape[a]
            give = int(min(self.delta, n - 1))  # what a neighbour borrows from me (its width towards me)
            stage = []
            for side, nbr in enumerate(dec.neighbours[a]):
                if (lo_w, hi_w)[side] == 0:
                    continue
                recv_a = slice(0, lo_w) if side == 0 else slice(lo_w + n, lo_w + n + hi_w)
                send_a = slice(lo_w, lo_w + give) if side == 0 else slice(lo_w + n - give, lo_w + n)
                stage.append((side, nbr, recv_a, send_a))
            self.stages.append(stage)
        self._buffers = {}
        self.dtype = np.dtype(dtype)

    def _region(self, a, sl_a, mode):
        """Index of a slab normal to ``a``; other axes full (``fill``) or owned after ``a`` (``acc``)."""
        idx = []
        for b in range(len(self.shape)):
            if b == a:
                idx.append(sl_a)
            elif mode == "acc" and b > a:
                idx.append(self.owned[b])
            else:
                idx.append(slice(None))
        return tuple(idx)

    def _buf(self, key, shape):
        buf = self._buffers.get(key)
        if buf is None:
            buf = self._buffers[key] = np.empty(shape, self.dtype)
        return buf

    def _run(self, ext, a, mode):
        MPI, cart = self.dec.MPI, self.dec.cart
        reqs, incoming = [], []
        for side, nbr, recv_a, send_a in self.stages[a]:
            mine, theirs = (recv_a, send_a) if mode == "fill" else (send_a, recv_a)
            into = self._region(a, mine, mode)
            rbuf = self._buf((mode, a, side, "r"), ext[into].shape)
            reqs.append(cart.Irecv(rbuf, source=nbr, tag=2 * a + side))
            incoming.append((into, rbuf))
        for side, nbr, recv_a, send_a in self.stages[a]:
            out = self._region(a, send_a if mode == "fill" else recv_a, mode)
            sbuf = self._buf((mode, a, side, "s"), ext[out].shape)
            np.copyto(sbuf, ext[out])
            reqs.append(cart.Isend(sbuf, dest=nbr, tag=2 * a + (1 - side)))
        MPI.Request.Waitall(reqs)
        for into, rbuf in incoming:
            if mode == "fill":
                ext[into] = rbuf
            else:
                ext[into] += rbuf

    def fill(self, ext):
        """Copy the neighbours' nodes into the borrowed layers of ``ext`` (in place)."""
        for a in range(len(self.shape)):
            self._run(ext, a, "fill")
        return ext

    def accumulate(self, ext):
        """Add the borrowed layers of ``ext`` into the owners' nodes (the transpose of :meth:`fill`)."""
        for a in reversed(range(len(self.shape))):
            self._run(ext, a, "acc")
        return ext
