"""When callbacks and writers fire: every n steps, every simulated-time interval, every wall-clock interval.

A schedule is asked once after every step, ``schedule(sim)``, and answers True when its action
is due.  Time schedules fire on the first step whose time reaches the next multiple of the
interval (steps are not shortened to land on it; ``run(t_end=...)`` does land on ``t_end``).

Example
-------
>>> class S: step, t = 4, 0.4
>>> Steps(2)(S()), Steps(3)(S())
(True, False)
"""
from __future__ import annotations

import math
import numbers
import time

from .errors import ParameterError

__all__ = ["Steps", "SimTime", "WallTime", "as_schedule"]


class Steps:
    """Due when ``sim.step % every == 0``."""

    def __init__(self, every):
        if not isinstance(every, numbers.Integral) or isinstance(every, bool) or every < 1:
            raise ParameterError(f"every must be a positive integer number of steps; got {every!r}")
        self.every = int(every)

    def __call__(self, sim):
        return sim.step % self.every == 0

    def __repr__(self):
        return f"Steps({self.every})"


class SimTime:
    """Due on the first step with ``sim.t`` at or past the next multiple of ``interval``
    (counted from ``start``; the Simulation sets it to its time when the schedule is attached)."""

    def __init__(self, interval, start=None):
        if not isinstance(interval, numbers.Real) or not interval > 0 or not math.isfinite(interval):
            raise ParameterError(f"interval must be a positive simulated time; got {interval!r}")
        self.interval = float(interval)
        self.start = start
        self.count = 0

    def __call__(self, sim):
        if self.start is None:
            self.start = 0.0
        target = self.start + (self.count + 1) * self.interval
        if sim.t >= target - 1e-12 * max(1.0, abs(target)):
            self.count = int(math.floor((sim.t - self.start) / self.interval + 1e-12))
            return True
        return False

    def __repr__(self):
        return f"SimTime({self.interval})"


class WallTime:
    """Due when ``seconds`` of wall-clock time have passed since it last fired (or was made)."""

    def __init__(self, seconds, clock=time.monotonic):
        if not isinstance(seconds, numbers.Real) or not seconds > 0:
            raise ParameterError(f"seconds must be a positive number; got {seconds!r}")
        self.seconds = float(seconds)
        self.clock = clock
        self.last = clock()

    def __call__(self, sim):
        now = self.clock()
        if now - self.last >= self.seconds:
            self.last = now
            return True
        return False

    def __repr__(self):
        return f"WallTime({self.seconds})"


def as_schedule(every=None, interval=None, wall=None):
    """Build the schedule from exactly one of ``every`` (steps), ``interval`` (simulated time),
    ``wall`` (seconds); all None gives None."""
    given = [x for x in (every, interval, wall) if x is not None]
    if len(given) > 1:
        raise ParameterError("give one of every= (steps), interval= (simulated time), wall= (seconds)")
    if every is not None:
        return Steps(every)
    if interval is not None:
        return SimTime(interval)
    if wall is not None:
        return WallTime(wall)
    return None
