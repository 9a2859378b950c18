"""Transient cooling of a hot block: a case file run, HDF5 output, frames and an animation.

Runs ``data/cooling_block.toml`` (a 10 cm steel block at 300 degC in 20 degC air, h = 30
W/(m^2 K)) for one hour, writes ``cooling_block.h5`` (+ ``.xmf`` for ParaView), a grid of
frames and a GIF.  The Biot number h L / k is small (0.07), so the mean temperature follows the
lumped model ``T_amb + (T0 - T_amb) exp(-h P t / (rho c A))`` closely.

Run: ``python examples/cooling_block.py`` (outputs in examples/figures/).
"""
import os

import numpy as np

import fieldgrad.io as fio
from fieldgrad.case import load_case, run_case
from fieldgrad.plot import animate, plot_frames, save_figure

HERE = os.path.dirname(os.path.abspath(__file__))
CASE = os.path.join(HERE, os.pardir, "data", "cooling_block.toml")


def lumped(t, L=0.1, h=30.0, rho_c=3.6e6, T0=300.0, Tamb=20.0):
    return Tamb + (T0 - Tamb) * np.exp(-h * 4 * L * t / (rho_c * L * L))


def main(n=41, outdir=os.path.join(HERE, "figures"), frames=12, gif=True):
    """Run the case on ``n x n`` nodes; return mean temperatures against the lumped model."""
    case = load_case(CASE)
    case.doc["grid"]["shape"] = [n, n]
    case.doc["output"]["frames"] = frames
    case = type(case)(case.doc, case.origin)
    h5 = os.path.join(outdir, "cooling_block.h5")
    run_case(case, h5, overwrite=True, echo=lambda *a: None, progress=False)
    with fio.open(h5) as f:
        tt = np.asarray(f.times)
        T = f["temperature"]
        grid = f.grid
        means = np.array([grid.integrate(np.asarray(T[i])) / 0.01 for i in range(len(tt))])
    out = {"times": tt, "mean": means, "lumped": lumped(tt), "h5": h5}
    out["frames_png"] = save_figure(plot_frames(h5, "temperature", nframes=6), os.path.join(outdir, "cooling_block.png"),
                                    overwrite=True)
    if gif:
        out["gif"] = animate(h5, os.path.join(outdir, "cooling_block.gif"), "temperature", overwrite=True)
    return out


if __name__ == "__main__":
    r = main()
    for t, m, l in zip(r["times"], r["mean"], r["lumped"]):
        print(f"t = {t:7.0f} s   mean T = {m:7.2f} degC   lumped model {l:7.2f} degC")
