"""Output overhead of HDF5Writer on a 128^3 float64 heat run writing every 10 steps.

Usage: python benchmarks/io.py [--n 128] [--steps 100] [--every 10] [--repeats 3] [--dir DIR]

The heat run is an explicit (FTCS) Dirichlet run through ``fieldgrad.simulation.Simulation`` when it
exists, otherwise an equivalent loop over :func:`fieldgrad.laplacian` (said in the output).  For
each compression the run is timed with and without the writer, interleaved, in one process;
overhead = (t_with - t_without) / t_with, medians over the repeats.  Also printed: frames per
second of the writer alone (time inside ``write``) and file size per frame.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import types

import numpy as np

import fieldgrad
from fieldgrad import Dirichlet, Grid
from fieldgrad.io import HDF5Writer


class TimedWriter:
    """Wraps a writer and accumulates the wall time spent in ``write``."""

    def __init__(self, inner):
        self.inner, self.every, self.seconds, self.frames = inner, inner.every, 0.0, 0
        self.per_frame = []

    def open(self, sim):
        self.inner.open(sim)

    def write(self, t, fields):
        t0 = time.perf_counter()
        self.inner.write(t, fields)
        dt = time.perf_counter() - t0
        self.seconds += dt
        self.per_frame.append(dt)
        self.frames += 1

    def close(self):
        t0 = time.perf_counter()
        self.inner.close()
        self.seconds += time.perf_counter() - t0


def initial(grid):
    X = grid.mesh()
    return np.ascontiguousarray(np.prod([np.sin(np.pi * x) for x in X], axis=0))


def heat_run(grid, steps, writer):
    """FTCS heat run with Dirichlet walls through :class:`fieldgrad.simulation.Simulation`; the
    writer (if any) gets the initial state and every ``writer.every``-th step."""
    from fieldgrad.simulation import Simulation

    sim = Simulation(initial(grid), grid, Dirichlet(0.0), alpha=1.0, method="ftcs", progress=False)
    if writer is not None:
        sim.add_writer(writer)
    sim.run(steps=steps)
    sim.close()
    return sim.u


def ftcs_run(grid, steps, writer):
    """Fallback when the Simulation is missing: the same FTCS loop over fieldgrad.laplacian."""
    bc = Dirichlet(0.0)
    u = initial(grid)
    lap = np.empty_like(u)
    dt = 0.2 * min(grid.spacing) ** 2
    sim = types.SimpleNamespace(grid=grid, bc=fieldgrad.resolve_bc(bc, grid), params={"dt": dt}, t=0.0, step=0)
    if writer is not None:
        writer.open(sim)
        writer.write(0.0, {"T": u})
    for s in range(1, steps + 1):
        fieldgrad.laplacian(u, grid, bc, out=lap)
        u += dt * lap
        sim.step, sim.t = s, s * dt
        if writer is not None and s % writer.every == 0:
            writer.write(sim.t, {"T": u})
    if writer is not None:
        writer.close()
    return u


try:
    import fieldgrad.simulation  # noqa: F401

    RUN, RUN_NAME = heat_run, "fieldgrad.simulation.Simulation(method='ftcs'), Dirichlet walls"
except ImportError:  # pragma: no cover
    RUN, RUN_NAME = ftcs_run, "FTCS loop over fieldgrad.laplacian(out=) (Simulation not available)"


def floor(grid, workdir, repeats, frames=11):
    """Per-frame cost of HDF5Writer.write (compression None) against the floor of any
    synchronous writer: one os.write of the frame's bytes into a fresh file (page-cache copy),
    and one FTCS step of the run, interleaved in one process."""
    from fieldgrad.simulation import Simulation

    u = initial(grid)
    sim = Simulation(u, grid, Dirichlet(0.0), alpha=1.0, method="ftcs", progress=False)
    sim.run(steps=1)
    per_w, per_raw, per_step = [], [], []
    for r in range(repeats):
        w = HDF5Writer(os.path.join(workdir, "floor.h5"), overwrite=True, xdmf=False)
        fake = types.SimpleNamespace(grid=grid, bc=None, params={}, t=0.0, step=0)
        w.open(fake)
        w.write(0.0, {"T": u})  # creates the file
        t0 = time.perf_counter()
        for i in range(1, frames):
            fake.step = i
            w.write(float(i), {"T": u})
        per_w.append((time.perf_counter() - t0) / (frames - 1))
        w.close()
        raw = os.path.join(workdir, "floor.raw")
        fd = os.open(raw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        t0 = time.perf_counter()
        for i in range(1, frames):
            os.write(fd, memoryview(u).cast("B"))
        per_raw.append((time.perf_counter() - t0) / (frames - 1))
        os.close(fd)
        os.unlink(raw)
        t0 = time.perf_counter()
        sim.run(steps=10)
        per_step.append((time.perf_counter() - t0) / 10)
    mw, mr, ms = (statistics.median(x) for x in (per_w, per_raw, per_step))
    print(f"\nper frame: HDF5Writer.write {1e3 * mw:.2f} ms, raw os.write of the same bytes {1e3 * mr:.2f} ms "
          f"(writer/raw = {mw / mr:.2f}); one FTCS step {1e3 * ms:.2f} ms")
    print(f"=> estimated output overhead at every={10}: write/(10 steps + write) = "
          f"{100 * mw / (10 * ms + mw):.1f}% (raw-write floor: {100 * mr / (10 * ms + mr):.1f}%)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dir", default=None, help="directory for the output files (default: a temp dir)")
    args = ap.parse_args()
    grid = Grid((args.n,) * 3)
    workdir = args.dir or tempfile.mkdtemp(prefix="fieldgrad-io-bench-")
    print(f"grid {grid.shape} float64, {args.steps} steps, a frame every {args.every} steps "
          f"({args.steps // args.every + 1} frames of {grid.size * 8 / 2**20:.1f} MiB), repeats {args.repeats}")
    print(f"run: {RUN_NAME}, nproc={os.cpu_count()}, files in {workdir}")
    RUN(Grid((9, 9, 9)), 2, None)  # compile outside the timings
    modes = [None, "lzf", "gzip"]
    base, runs = [], {m: [] for m in modes}
    write_s, frames, sizes, per_frame = {m: [] for m in modes}, {}, {}, {m: [] for m in modes}
    for r in range(args.repeats):
        t0 = time.perf_counter()
        RUN(grid, args.steps, None)
        base.append(time.perf_counter() - t0)
        for m in modes:
            path = os.path.join(workdir, f"run-{m}.h5")
            if os.path.exists(path):  # remove the previous repeat's file outside the timing
                os.unlink(path)
            w = TimedWriter(HDF5Writer(path, every=args.every, compression=m, overwrite=True))
            t0 = time.perf_counter()
            RUN(grid, args.steps, w)
            runs[m].append(time.perf_counter() - t0)
            write_s[m].append(w.seconds)
            per_frame[m] += w.per_frame[1:]  # the first write also creates the file
            frames[m] = w.frames
            sizes[m] = os.path.getsize(path)
    tb = statistics.median(base)
    print(f"\nrun without output: median {tb:.3f} s  (all: {', '.join(f'{x:.3f}' for x in base)})")
    print(f"{'compression':>11} | {'run s':>7} | {'overhead':>8} | {'in write s':>10} | {'write share':>11} | "
          f"{'frames/s':>8} | {'ms/frame':>8} | {'MiB/frame':>9} | {'ratio':>5}")
    raw = grid.size * 8 / 2**20
    for m in modes:
        tw = statistics.median(runs[m])
        ws = statistics.median(write_s[m])
        per = sizes[m] / frames[m] / 2**20
        print(f"{str(m):>11} | {tw:7.3f} | {100 * (tw - tb) / tw:7.1f}% | {ws:10.3f} | {100 * ws / tw:10.1f}% | "
              f"{frames[m] / ws:8.1f} | {1e3 * statistics.median(per_frame[m]):8.1f} | {per:9.2f} | {raw / per:5.2f}")
    floor(grid, workdir, args.repeats)
    print("\noverhead = (run with writer - run without) / run with writer, medians; write share = time inside "
          "HDF5Writer.write+close / run with writer; ms/frame = median of one write (not the first, which creates "
          "the file); ratio = raw size / file size.  Target: overhead <= 10% for None.")


if __name__ == "__main__":
    main()
