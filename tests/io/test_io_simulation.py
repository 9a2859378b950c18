"""End to end with the real Simulation: solve_heat output, SIGKILL of a running heat simulation,
restart from a checkpoint bitwise identical to an uninterrupted run, append without duplicates.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad import Dirichlet, Grid, Neumann
from fieldgrad.heat import solve_heat
from fieldgrad.simulation import Simulation

G = Grid((17, 13, 9), extent=[(0, 1), (0, 0.8), (0, 0.5)])
BC = {"x": Dirichlet(0.0), "y-": Dirichlet(1.0), "*": Neumann(0.0)}


def u0():
    X, Y, Z = G.mesh()
    return np.sin(np.pi * X) * np.cos(2 * Y) + Z


def make_sim(**kw):
    return Simulation(u0(), G, BC, alpha=0.7, method="ftcs", progress=False, **kw)


def test_solve_heat_output_every(tmp_path):
    path = tmp_path / "run.h5"
    ref = make_sim()
    frames = {0: ref.u.copy()}
    for s in range(1, 26):
        ref.run(steps=1)
        if s % 5 == 0:
            frames[s] = ref.u.copy()
    # t_end = 27.5 dt: 27 full steps and a half one, so every frame step is a full step
    res = solve_heat(u0(), G, BC, alpha=0.7, method="ftcs", dt=ref.dt, t_end=27.5 * ref.dt,
                     progress=False, output=path, output_every=5)
    with fio.open(path) as f:
        assert f.steps.tolist() == [0, 5, 10, 15, 20, 25, 28]  # the final state always ends the file
        for i, s in enumerate(f.steps[:-1]):
            np.testing.assert_array_equal(f["u"][i], frames[s])  # the initial state and every 5th step
        np.testing.assert_array_equal(f["u"][-1], res.u)
        assert f.times[-1] == res.t
        assert f.params["method"] == "ftcs" and f.params["dt"] == ref.dt
        assert f.bc["y-"] == {"kind": "dirichlet", "value": 1.0}
    assert res.steps == 28


def test_restart_is_bitwise_and_append_matches_uninterrupted(tmp_path):
    # uninterrupted: 40 steps, a frame every 10
    a = make_sim()
    a.add_writer(fio.HDF5Writer(tmp_path / "a.h5", every=10))
    a.run(steps=40)
    a.close()
    # interrupted: checkpoint every 15 steps, "crash" after 37 (frames 0..30 written, checkpoint at 30)
    ck = tmp_path / "ck.h5"
    b = make_sim(checkpoint=ck, checkpoint_every=15)
    b.add_writer(fio.HDF5Writer(tmp_path / "b.h5", every=10))
    b.run(steps=37)
    b.close()
    c = fio.restart(ck)
    assert c.step == 30
    c.add_writer(fio.HDF5Writer(tmp_path / "b.h5", every=10, append=True))
    c.run(steps=10)
    c.close()
    assert c.step == a.step and c.t == a.t
    assert c.u.tobytes() == a.u.tobytes()  # bitwise identical continuation
    with fio.open(tmp_path / "a.h5") as fa, fio.open(tmp_path / "b.h5") as fb:
        assert fb.steps.tolist() == fa.steps.tolist() == [0, 10, 20, 30, 40]
        assert fb.times.tobytes() == fa.times.tobytes()
        assert np.asarray(fb["u"]).tobytes() == np.asarray(fa["u"]).tobytes()


def test_restart_from_an_off_schedule_checkpoint(tmp_path):
    a = make_sim()
    a.add_writer(fio.HDF5Writer(tmp_path / "a.h5", every=4))
    a.run(steps=20)
    a.close()
    b = make_sim(checkpoint=tmp_path / "ck.h5", checkpoint_every=7)
    b.add_writer(fio.HDF5Writer(tmp_path / "b.h5", every=4))
    b.run(steps=17)  # frames 0..16, checkpoint at 14
    b.close()
    c = fio.restart(tmp_path / "ck.h5")
    c.add_writer(fio.HDF5Writer(tmp_path / "b.h5", every=4, append=True))
    c.run(steps=6)
    c.close()
    assert c.u.tobytes() == a.u.tobytes()
    with fio.open(tmp_path / "a.h5") as fa, fio.open(tmp_path / "b.h5") as fb:
        assert fb.steps.tolist() == fa.steps.tolist() == [0, 4, 8, 12, 16, 20]
        assert np.asarray(fb["u"]).tobytes() == np.asarray(fa["u"]).tobytes()


CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    from fieldgrad import Dirichlet, Grid, Neumann
    from fieldgrad.heat import solve_heat
    sys.path.insert(0, sys.argv[2])
    from test_io_simulation import G, BC, u0
    solve_heat(u0(), G, BC, alpha=0.7, method="ftcs", t_end=1e9, progress=False, output=sys.argv[1],
               output_every=3, max_steps=None)  # ~1e12 steps: meant to run until killed
""")


def test_sigkill_of_a_running_simulation(tmp_path):
    path = tmp_path / "run.h5"
    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), here], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        seen = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists():
                try:
                    with fio.open(path) as f:  # a reader follows the live run (SWMR)
                        seen = len(f)
                except Exception:
                    seen = 0  # file being created
                if seen >= 4:
                    break
            time.sleep(0.05)
        assert seen >= 4, proc.stderr.read() if proc.poll() is not None else "no frames in time"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with fio.open(path) as f:
        n = len(f)
        assert n >= seen and f.unclean
        steps = f.steps.tolist()
        data = np.asarray(f["u"])
    assert steps == [3 * i for i in range(n)]
    ref = make_sim()
    for i, s in enumerate(steps):  # every committed frame is the exact state of its step
        if s > ref.step:
            ref.run(steps=s - ref.step)
        assert data[i].tobytes() == ref.u.tobytes()
    assert fio.recover(path) == n
    assert fio.load(path).steps.tolist() == steps
