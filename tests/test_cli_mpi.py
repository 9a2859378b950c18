"""``mpiexec -n 2 fieldgrad run case.toml`` runs the same case distributed and writes ONE logical
result file that ``fieldgrad.io.open`` and ``fieldgrad info`` read exactly like the serial one;
its fields equal the one-process run's to 1e-12 (relative).

Cases: a 2D transient heat run with a time-dependent boundary value and source (FTCS; also
checked against its exact solution), a 3D transient run with variable conductivity, Robin,
Neumann and time-dependent Dirichlet faces (RKL2), a 2D steady run with variable conductivity
(distributed CG), the same with a material region and with a held region (the distributed
material path), and implicit transient runs (backward Euler and Crank--Nicolson, each step's
solve distributed).  Grids of 13, 11, 9 nodes do not split evenly.  Skipped, with the reason,
only when mpi4py or mpiexec is missing (the ``mpi`` extra installs both).
"""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.cli import main

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'fieldgrad[mpi]')")

TRANSIENT_2D = """
[case]
name = "exact"
physics = "heat"
[grid]
shape = [13, 11]
extent = [[0, 1], [0, 0.8]]
[material]
conductivity = 2.0
heat_capacity = 2.0
[boundary]
"x-" = { type = "dirichlet", value = 0 }
"x+" = { type = "dirichlet", value = "t / 2" }
"y" = { type = "insulated" }
[source]
value = "x**2 - 2 * t"
[initial]
value = "t * x**2 / 2"
[solver]
kind = "transient"
method = "explicit"
t0 = 0.5
t_end = 0.6
[output]
frames = 4
"""

TRANSIENT_3D = """
[case]
name = "mixed3d"
physics = "heat"
[grid]
shape = [11, 9, 10]
extent = [[0, 1], [0, 0.8], [0, 0.9]]
[material]
conductivity = "1 + x * y + z"
heat_capacity = 1.5
[boundary]
"x-" = { type = "dirichlet", value = "sin(3 * t) * y" }
"x+" = { type = "convection", h = 3.0, ambient = 1.0 }
"z" = { type = "neumann", flux = 0.5 }
"*" = { type = "insulated" }
[source]
value = "2 * exp(-x) * cos(t)"
[initial]
value = "x * z"
[solver]
kind = "transient"
method = "rkl2"
t_end = 0.05
dt = 0.004
[output]
frames = 3
"""

STEADY = """
[case]
name = "plate"
physics = "heat"
[grid]
shape = [13, 11]
extent = [[0, 1], [0, 0.8]]
[material]
conductivity = "1 + x * y"
[boundary]
"x-" = { type = "dirichlet", value = "y" }
"x+" = { type = "convection", h = 3.0, ambient = 1.0 }
"*" = { type = "insulated" }
[source]
value = "2 * exp(-x)"
[solver]
rtol = 1e-14
"""


def _mpiexec():
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if exe is None:
        pytest.skip("mpiexec not found (pip install mpich, or load the system MPI)")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    return [exe] + (["--oversubscribe"] if "Open MPI" in version or "OpenRTE" in version else [])


def _both(tmp_path, text, name, capsys):
    """Run ``text`` with one process (in-process) and with ``mpiexec -n 2``; return both paths
    and the MPI run's stdout."""
    case = tmp_path / f"{name}.toml"
    case.write_text(text)
    serial, mpi = str(tmp_path / f"{name}_1.h5"), str(tmp_path / f"{name}_2.h5")
    assert main(["run", str(case), "-o", serial]) == 0
    capsys.readouterr()
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(_mpiexec() + ["-n", "2", sys.executable, "-m", "fieldgrad.cli", "run", str(case),
                                        "-o", mpi], capture_output=True, text=True, env=env, timeout=240,
                          cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.stdout.count("finished in") == 1, proc.stdout  # only rank 0 prints
    return serial, mpi, proc.stdout


def _same(serial, mpi, frames, rtol=1e-12):
    with fio.open(serial) as a, fio.open(mpi) as b:
        assert a.grid == b.grid and len(a.times) == len(b.times) == frames
        np.testing.assert_allclose(b.times, a.times, rtol=0, atol=1e-14)
        assert b.steps.tolist() == a.steps.tolist()
        assert list(b.fields) == list(a.fields)
        for name, view in a.fields.items():
            other = b[name]
            assert (other.kind, other.units, other.long_name, other.dims) == (view.kind, view.units,
                                                                             view.long_name, view.dims)
            x, y = np.asarray(view), np.asarray(other)
            err = np.max(np.abs(x - y)) / max(np.max(np.abs(x)), 1e-300)
            assert err < rtol, f"{name}: relative difference {err:.2e}"
        assert b.params["case"] == a.params["case"] and b.h5.attrs["fieldgrad_distributed_ranks"] == 2


def test_transient_2d_time_dependent_equals_serial_and_exact(tmp_path, capsys):
    serial, mpi, out = _both(tmp_path, TRANSIENT_2D, "exact", capsys)
    assert "distributed" in out and "2 MPI ranks" in out
    _same(serial, mpi, 5)
    with fio.open(mpi) as f:
        x = f.grid.mesh()[0]
        for i, t in enumerate(f.times):
            assert np.max(np.abs(f["temperature"][i] - t * x ** 2 / 2)) < 1e-12
    assert os.path.exists(mpi + ".parts") and os.path.exists(mpi[:-3] + ".xmf")
    assert main(["info", mpi]) == 0  # the CLI reads it like a serial file
    info = capsys.readouterr().out
    assert "frames: 5, t from 0.5 to 0.6 s" in info and "heat_flux" in info and "(5, 13, 11)" in info


def test_transient_3d_rkl2_mixed_boundaries_equals_serial(tmp_path, capsys):
    serial, mpi, _ = _both(tmp_path, TRANSIENT_3D, "mixed3d", capsys)
    _same(serial, mpi, 4)


def test_steady_equals_serial_with_the_same_balance(tmp_path, capsys):
    serial, mpi, out = _both(tmp_path, STEADY, "plate", capsys)
    _same(serial, mpi, 1)
    assert "distributed steady solve" in out
    rel = float(out.split("relative ")[1].split(")")[0])
    assert rel < 1e-10  # heat in + source = heat out


@pytest.mark.parametrize("method, name", [("implicit", "backward_euler"), ("crank_nicolson", "crank_nicolson")])
def test_implicit_methods_run_distributed_and_equal_serial_and_exact(tmp_path, capsys, method, name):
    # u = t x^2 / 2 is exact for both time steppers and the stencil: what is left is the linear
    # solves' tolerance (rtol 1e-8 per step)
    text = TRANSIENT_2D.replace('method = "explicit"', f'method = "{method}"\ndt = 0.01')
    serial, mpi, out = _both(tmp_path, text, "implicit", capsys)
    assert "ran on rank 0 only" not in out and name in out and "distributed" in out
    assert os.path.exists(mpi + ".parts")
    with fio.open(serial) as a, fio.open(mpi) as b:
        assert b.steps.tolist() == a.steps.tolist() and len(b.times) == 5
        x = b.grid.mesh()[0]
        for i, t in enumerate(b.times):
            exact = t * x ** 2 / 2
            assert np.max(np.abs(b["temperature"][i] - exact)) < 1e-7 * np.max(np.abs(exact))
            assert np.max(np.abs(b["temperature"][i] - a["temperature"][i])) < 1e-7 * np.max(np.abs(exact))


@pytest.mark.parametrize("extra", ['[[material.region]]\nwhere = "x > 0.5"\nconductivity = 20.0\n',
                                   '[[fixed]]\nwhere = "(x - 0.6)**2 + (y - 0.4)**2 < 0.04"\nvalue = 3.0\n'])
def test_material_regions_and_fixed_regions_run_distributed_and_equal_serial(tmp_path, capsys, extra):
    """Piecewise materials (solved on cells) and held regions take the distributed solver's
    material path (the serial discrete problem cut into blocks): no rank-0 fallback, the fields
    of the serial run."""
    text = STEADY.replace('[boundary]', extra + '[boundary]')
    serial, mpi, out = _both(tmp_path, text, "plate", capsys)
    assert "ran on rank 0 only" not in out and "distributed steady solve" in out
    balance = next(x for x in out.splitlines() if "balance:" in x)  # held regions' flow counted
    assert ("held regions" in balance) == ("[[fixed]]" in extra)
    assert float(balance.split("relative ")[1].rstrip(")")) < 1e-9
    with fio.open(serial) as a, fio.open(mpi) as b:
        for name in a.fields:
            x, y = np.asarray(a[name]), np.asarray(b[name])
            err = np.max(np.abs(x - y)) / np.max(np.abs(x))
            assert err < 1e-11, f"{name}: relative difference {err:.2e}"


def test_transient_regions_with_two_heat_capacities_run_distributed_and_equal_serial(tmp_path, capsys):
    """The k / rho_c form (conductivity on cells, a heat capacity per region) takes the
    distributed heat solver: the same steps, the fields of the serial run."""
    text = TRANSIENT_3D.replace('[boundary]', '[[material.region]]\nwhere = "x > 0.5"\nconductivity = 9.0\n'
                                              'heat_capacity = 4.0\n[boundary]')
    serial, mpi, out = _both(tmp_path, text, "regions3d", capsys)
    assert "ran on rank 0 only" not in out and "2 MPI ranks" in out
    _same(serial, mpi, 4)


def _cylindrical(text):
    return (text.replace('[grid]', '[grid]\ncoords = "cylindrical"').replace("[[0, 1]", "[[0.1, 1]")
            .replace("x * y", "r * z").replace('"x-"', '"r-"').replace('"x+"', '"r+"')
            .replace('value = "y"', 'value = "z"').replace("exp(-x)", "exp(-r)").replace("x**2", "r**2")
            .replace('"y" = {', '"z" = {'))


def test_cylindrical_steady_case_runs_distributed_and_equals_serial(tmp_path, capsys):
    """An (r, z) case under mpiexec: the solve takes the (r, z) rows cut into blocks, the written
    flux is -k grad u (its d/dr, d/dz are the Cartesian ones); both equal the one-process run's."""
    serial, mpi, out = _both(tmp_path, _cylindrical(STEADY), "cyl", capsys)
    assert "ran on rank 0 only" not in out and "distributed steady solve" in out
    with fio.open(mpi) as b:
        assert b.grid.cylindrical
    _same(serial, mpi, 1, rtol=1e-9)  # the distributed CG and the serial MG-CG, both to rtol 1e-14


def test_cylindrical_transient_case_runs_distributed_and_equals_serial(tmp_path, capsys):
    serial, mpi, out = _both(tmp_path, _cylindrical(TRANSIENT_2D), "cylt", capsys)
    assert "ran on rank 0 only" not in out and "distributed" in out
    _same(serial, mpi, 5)
