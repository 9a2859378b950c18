"""Manufactured smooth fields with exact derivatives, shared by the operator and solver tests.

``u = prod_a f_a(x_a)`` with analytic first and second derivatives per factor, so gradients,
Laplacians and boundary data are known exactly.
"""
import numpy as np

from fieldgrad import Dirichlet, Neumann, Robin


def _factor(axis, periodic):
    if periodic:
        w = 2 * np.pi
        return (lambda x: np.sin(w * x) + 0.3 * np.cos(2 * w * x),
                lambda x: w * np.cos(w * x) - 0.6 * w * np.sin(2 * w * x),
                lambda x: -w * w * np.sin(w * x) - 1.2 * w * w * np.cos(2 * w * x))
    c = 0.3 + 0.2 * axis
    return (lambda x: np.exp(c * x) * np.sin(2 * x + c),
            lambda x: np.exp(c * x) * (c * np.sin(2 * x + c) + 2 * np.cos(2 * x + c)),
            lambda x: np.exp(c * x) * ((c * c - 4) * np.sin(2 * x + c) + 4 * c * np.cos(2 * x + c)))


class Manufactured:
    """Exact field, gradient, Laplacian and a smooth conductivity on a unit box."""

    def __init__(self, ndim, periodic=False):
        self.ndim = ndim
        self.f = [_factor(a, periodic) for a in range(ndim)]

    def _prod(self, X, which):
        return np.prod([self.f[b][which[b]](X[b]) for b in range(self.ndim)], axis=0)

    def u(self, *X):
        return self._prod(X, [0] * self.ndim)

    def du(self, axis, *X):
        return self._prod(X, [1 if b == axis else 0 for b in range(self.ndim)])

    def grad(self, *X):
        return np.stack([self.du(a, *X) for a in range(self.ndim)])

    def lap(self, *X):
        return sum(self._prod(X, [2 if b == a else 0 for b in range(self.ndim)]) for a in range(self.ndim))

    @staticmethod
    def k(*X):
        return 1.5 + 0.5 * np.sin(sum((a + 1) * x for a, x in enumerate(X)))

    @staticmethod
    def dk(axis, *X):
        return 0.5 * (axis + 1) * np.cos(sum((a + 1) * x for a, x in enumerate(X)))

    def div_k_grad(self, *X):
        return self.k(*X) * self.lap(*X) + sum(self.dk(a, *X) * self.du(a, *X) for a in range(self.ndim))

    def bc(self, kind, robin=(2.0, 1.5)):
        """Boundary conditions of one kind on every face, consistent with the exact field."""
        out = {}
        for a in range(self.ndim):
            for side, sign in (("-", -1.0), ("+", 1.0)):
                face = "xyz"[a] + side
                if kind == "dirichlet":
                    out[face] = Dirichlet(lambda *X: self.u(*X))
                elif kind == "neumann":
                    out[face] = Neumann(lambda *X, a=a, s=sign: s * self.du(a, *X))
                elif kind == "robin":
                    al, be = robin
                    out[face] = Robin(al, be, lambda *X, a=a, s=sign: al * self.u(*X) + be * s * self.du(a, *X))
                elif kind == "none":
                    out[face] = None
                else:
                    raise ValueError(kind)
        return out


def observed_order(err_coarse, err_fine, ratio=2.0):
    """log(e_coarse / e_fine) / log(ratio)."""
    return float(np.log(err_coarse / err_fine) / np.log(ratio))
