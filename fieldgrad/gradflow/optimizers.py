"""Minimal SGD and Adam with coupled (L2 penalty) or decoupled weight decay.

For SGD the decoupled step ``theta <- theta - lr g - lr lambda theta`` is the same map as the
L2-penalised step ``theta <- theta - lr (g + lambda theta)``.  For Adam it is not: with the
penalty in the gradient the decay is rescaled per coordinate by ``1/(sqrt(v) + eps)`` (weak for
coordinates with large gradients), while AdamW (Loshchilov & Hutter) shrinks every coordinate by
the same ``lr lambda``.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_nonneg, check_positive

__all__ = ["SGD", "Adam", "run_optimizer"]


class SGD:
    """Stochastic gradient descent with weight decay.

    Parameters
    ----------
    lr : float
    weight_decay : float
    decoupled : bool
        False: the decay is an L2 penalty added to the gradient; True: applied apart from it.

    Example
    -------
    >>> th = np.array([1.0]); SGD(0.1, weight_decay=0.5).step(th, np.array([2.0]))
    array([0.75])
    """

    def __init__(self, lr, weight_decay=0.0, decoupled=False):
        self.lr = check_positive(lr, "lr")
        self.weight_decay = check_nonneg(weight_decay, "weight_decay")
        self.decoupled = bool(decoupled)

    def step(self, theta, grad):
        """Update ``theta`` in place with the loss gradient ``grad``; returns ``theta``."""
        if self.decoupled:
            decay = self.lr * self.weight_decay * theta
            theta -= self.lr * grad
            theta -= decay
        else:
            theta -= self.lr * (grad + self.weight_decay * theta)
        return theta


class Adam:
    """Adam, with the weight decay as an L2 penalty (``decoupled=False``) or decoupled (AdamW).

    Parameters
    ----------
    lr : float
    betas : (float, float)
    eps : float
    weight_decay : float
    decoupled : bool

    Example
    -------
    >>> th = np.array([1.0]); Adam(0.1).step(th, np.array([5.0]))  # first step ~ lr * sign(g)
    array([0.9])
    """

    def __init__(self, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
        self.lr = check_positive(lr, "lr")
        self.b1, self.b2 = (float(b) for b in betas)
        self.eps = check_positive(eps, "eps")
        self.weight_decay = check_nonneg(weight_decay, "weight_decay")
        self.decoupled = bool(decoupled)
        self.m = self.v = None
        self.t = 0

    def step(self, theta, grad):
        """Update ``theta`` in place; returns ``theta``."""
        g = grad if self.decoupled else grad + self.weight_decay * theta
        if self.m is None:
            self.m = np.zeros_like(theta)
            self.v = np.zeros_like(theta)
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        mhat = self.m / (1 - self.b1 ** self.t)
        vhat = self.v / (1 - self.b2 ** self.t)
        upd = mhat / (np.sqrt(vhat) + self.eps)
        if self.decoupled:
            upd = upd + self.weight_decay * theta
        theta -= self.lr * upd
        return theta


def run_optimizer(opt, grad_fn, theta0, steps):
    """Run ``steps`` updates; ``grad_fn(theta, k)`` gives the (stochastic) gradient at step ``k``.

    Returns
    -------
    ndarray of shape ``(steps + 1, *theta0.shape)``: the trajectory.
    """
    theta = np.array(theta0, dtype=float)
    out = [theta.copy()]
    for k in range(steps):
        opt.step(theta, grad_fn(theta, k))
        out.append(theta.copy())
    return np.array(out)
