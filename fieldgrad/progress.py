"""The progress bar of time-dependent runs: simulated time to the precision of the step, steps
done, rates in simulated time and steps per second, and an ETA; left on screen at the end.

It is on in a terminal and off when stderr is not a tty, when the ``CI`` environment variable is
set, or with ``progress=False`` (:func:`progress_enabled`).  tqdm draws it (a widget in Jupyter
through ``tqdm.auto``); the fields are added through tqdm's ``format_dict``, so they are only
formatted when the bar is redrawn (a few times a second), not at every step.
"""
from __future__ import annotations

import math
import os
import sys

__all__ = ["progress_enabled", "time_decimals", "RunProgress"]

_RATES = "[{elapsed}<{remaining}, {sim_rate} sim s/s, {step_rate} steps/s]"
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| t = {sim_t}/{sim_end} s, step {steps} " + _RATES
"""Runs to an end time: the fraction is simulated time."""
BAR_FORMAT_STEPS = "{desc}: {percentage:3.0f}%|{bar}| step {steps}/{total_fmt}, t = {sim_t} s " + _RATES
"""Runs of a number of steps: the fraction is steps."""


def progress_enabled(progress=None):
    """Whether to show a bar: ``progress`` when given, else only in a terminal outside CI."""
    if progress is not None:
        return bool(progress)
    if os.environ.get("CI"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def time_decimals(dt):
    """Decimals that show times advancing by ``dt``: enough for ``dt`` itself, at most two
    significant digits of it (after steps of 1/3 the time shows as 0.33, not 0.3333333333333333).

    Example
    -------
    >>> time_decimals(0.002), time_decimals(0.0025), time_decimals(3.51e-4), time_decimals(10.0)
    (3, 4, 5, 0)
    """
    dt = abs(float(dt))
    if not math.isfinite(dt) or dt == 0:
        return 6
    most = max(0, 1 - math.floor(math.log10(dt)))
    for d in range(most + 1):
        if abs(round(dt, d) - dt) <= 1e-9 * dt:
            return d
    return most


def _rate(x):
    return f"{x:.3g}" if math.isfinite(x) else "?"


def _bar_class():
    from tqdm.auto import tqdm

    class _SimBar(tqdm):
        """tqdm over simulated time with the run's own fields in ``format_dict``."""

        def __init__(self, *args, run=None, **kwargs):
            self.run = run  # before tqdm's __init__, which draws the bar once
            super().__init__(*args, **kwargs)

        @property
        def format_dict(self):
            d = super().format_dict
            d.update(self.run.fields(d["elapsed"]))
            return d

    return _SimBar


class RunProgress:
    """A progress bar over simulated time from ``t0`` to ``t_end`` (or over ``steps`` steps).

    Parameters
    ----------
    t0 : float -- simulated time at the start
    dt : float -- the time step (sets the precision times are shown with)
    t_end : float, optional -- the end time; the bar's fraction is simulated time done
    steps : int, optional -- without ``t_end``: the number of steps; the fraction is steps done
    desc : str -- the bar's label (e.g. the method)
    file : stream, optional -- default stderr
    leave : bool -- keep the final bar on screen (default True)

    Example
    -------
    >>> import io
    >>> out = io.StringIO()
    >>> bar = RunProgress(t0=0.0, dt=0.002, t_end=0.01, desc="ftcs", file=out)
    >>> for n in range(1, 6):
    ...     bar.update(0.002 * n, n)
    >>> bar.close()
    >>> line = out.getvalue().replace("\\r", "\\n").strip().splitlines()[-1]
    >>> "t = 0.010/0.010 s, step 5" in line and line.startswith("ftcs: 100%")
    True
    """

    def __init__(self, *, t0, dt, t_end=None, steps=None, desc="run", file=None, leave=True):
        self.t0, self.t, self.steps = float(t0), float(t0), 0
        self.t_end = None if t_end is None else float(t_end)
        self.decimals = time_decimals(dt)
        self.by_time = self.t_end is not None
        if not self.by_time and steps is None:
            from .errors import ParameterError

            raise ParameterError("RunProgress needs t_end= (simulated time) or steps= (a number of steps)")
        total = self.t_end - self.t0 if self.by_time else int(steps)
        cls = _bar_class()
        self._n = 0.0
        self.bar = cls(total=total, desc=desc, file=sys.stderr if file is None else file, leave=leave,
                       bar_format=BAR_FORMAT if self.by_time else BAR_FORMAT_STEPS, dynamic_ncols=True, run=self)

    def fields(self, elapsed):
        """The bar's own fields: ``sim_t``, ``sim_end``, ``steps``, ``sim_rate``, ``step_rate``."""
        d = self.decimals
        rate = (self.t - self.t0) / elapsed if elapsed > 0 else float("nan")
        srate = self.steps / elapsed if elapsed > 0 else float("nan")
        return {"sim_t": f"{self.t:.{d}f}", "sim_end": "" if self.t_end is None else f"{self.t_end:.{d}f}",
                "steps": self.steps, "sim_rate": _rate(rate), "step_rate": _rate(srate)}

    def update(self, t, steps):
        """Record the simulated time ``t`` reached after ``steps`` steps of this run."""
        self.t, self.steps = float(t), int(steps)
        n = self.t - self.t0 if self.by_time else self.steps
        # a sum of steps can pass t_end by a rounding: past the total, tqdm would show a negative ETA
        n = min(n, self.bar.total) if self.bar.total is not None else n
        self.bar.update(n - self._n)
        self._n = n

    def close(self, note=None):
        """Draw the final state (``note``, e.g. ``"steady state"``, added to the label) and close."""
        if note:
            self.bar.set_description_str(f"{self.bar.desc} ({note})", refresh=False)
        self.bar.refresh()
        self.bar.close()
