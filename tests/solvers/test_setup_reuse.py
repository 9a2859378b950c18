"""Set-up work formed once or in one pass gives what the plain NumPy forms gave, to the last bit:
the held problem's links before the cut (restored from the cut values), the Robin diagonal (the
domain check's handed to the next call, dropped when a surface is adopted), the fixed masks
(written plane by plane)."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.materials import cell_centres, cell_shape
from fieldgrad.solvers.discretize import Problem, check_domain_parts
from fieldgrad.solvers.held import make_problem


def _holes(shape):
    g = Grid(shape)
    c = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = sum((x - 0.5) ** 2 for x in c) > 0.2 ** 2
    vals = np.random.default_rng(0).uniform(1.0, 5.0, cell_shape(g))
    return g, fg.Cells(vals, domain=dom)


@pytest.mark.parametrize("shape", [(33, 29), (13, 11, 9)])
def test_links_before_the_cut_are_the_uncut_links(shape):
    g, k = _holes(shape)
    mask = np.zeros(g.shape, bool)
    mask[(slice(2, 6),) * len(shape)] = True
    mask[(-1,) + (slice(None),) * (len(shape) - 1)] = True        # held nodes on the box face too
    mask[(slice(3, 5), 0) + (slice(None),) * (len(shape) - 2)] = True  # and at index 0 (the wrap of np.roll)
    bc = {"x-": Dirichlet(1.0), "*": Robin(2.0, 1.0, 0.5)}
    prob = make_problem(g, bc, k, 0.0, None, mask)
    uncut = Problem(g, bc, k).link_coefficients()
    Lx, Ly, Lz, D, _ = prob.links_diag()
    for a, (L0, L, U) in enumerate(zip(prob._links0, (Lx, Ly, Lz), uncut)):
        assert np.array_equal(L0, U)
        if prob.shape3[a] > 1:
            h = prob.held
            cut = h | np.roll(h, -1, axis=a)
            assert cut.any() and np.all(L[cut] == 0.0) and np.array_equal(L[~cut], U[~cut])
    assert prob._links0 is prob._links0                            # formed once


def test_robin_diagonal_of_the_domain_check_serves_the_next_call_once():
    g, k = _holes((33, 33))
    bc = {"x": Dirichlet(0.0), "y": Robin(3.0, 2.0, 1.0), "surface": Robin(1.0, 1.0, 0.0)}
    prob = Problem(g, bc, k)
    ref = Problem(g, bc, k).robin_diag()
    assert ref[5, 0, 0] < 0 and ref[5, 5, 0] == 0.0 and ref[5, 16, 0] == 0.0
    assert (ref < 0).sum() > 2 * 33                               # the surface's terms too
    check_domain_parts(prob)
    first, second = prob.robin_diag(), prob.robin_diag()  # (the spare terms, then formed again)
    assert first is not second and np.array_equal(first, ref) and np.array_equal(second, ref)
    prob2 = Problem(g, bc, k)
    check_domain_parts(prob2)
    bare = Problem(g, {"x": Dirichlet(0.0), "y": Robin(3.0, 2.0, 1.0)}, k)
    check_domain_parts(bare)
    bare.take_surface(prob2)                                      # drops the spare of the bare problem
    assert np.array_equal(bare.robin_diag(), ref)


@pytest.mark.parametrize("bc", [Dirichlet(0.0), {"x-": Dirichlet(0.0), "*": Neumann(0.0)},
                                {"y+": Dirichlet(1.0), "*": Robin(1.0, 1.0, 0.0)}, Neumann(0.0)])
def test_fixed_masks_are_the_broadcast_ones(bc):
    g = Grid((9, 7, 5))
    mask = np.zeros(g.shape, bool)
    mask[0, 2:4, :] = True
    mask[4, 4, 2] = True
    prob = make_problem(g, bc, 1.0, 0.0, None, mask)
    fx, fy, fz = prob.fixed1
    broadcast = fx[:, None, None] | fy[None, :, None] | fz[None, None, :]
    assert np.array_equal(prob.fixed_mask(), broadcast) and prob.fixed_mask().dtype == bool
    assert np.array_equal(prob.held, prob.held_all & ~broadcast)
    assert np.array_equal(prob.fixed_or_held_mask(), broadcast | prob.held_all)
    assert prob.held_all.any() and (broadcast.any() or isinstance(bc, Neumann))


def _dense_robin_diag(prob):
    """The Robin diagonal as formed on a full array (the form before ``_robin_terms``)."""
    d = np.zeros(prob.shape3)
    for a in range(prob.ndim):
        for side, c in enumerate(prob.conds3[a]):
            if isinstance(c, Robin):
                face = prob.grid.axis_names[a] + "-+"[side]
                ratio = prob._face3(c.evaluate("alpha", prob.grid, face) / c.evaluate("beta", prob.grid, face), a)
                d[prob._face_slice(a, side)] -= (2.0 * prob.material.node_k3_face(a, side) * ratio
                                                 * prob.face_metric(a, side) / prob.h3[a])
    if isinstance(prob.surface, Robin):
        on = prob.surface_nodes3
        d[on] -= (prob.surface_coef3 * prob._surface_ratio())[on]
    return d


@pytest.mark.parametrize("case", ["2d", "3d", "cyl", "surface"])
def test_robin_terms_are_the_dense_diagonal_and_links_diag_adds_them_as_before(case):
    rng = np.random.default_rng(7)
    if case == "cyl":
        g = Grid((17, 13), coords="cylindrical", extent=[(0.0, 1.0), (0.0, 2.0)])
        k = fg.Cells(rng.uniform(1, 3, cell_shape(g)))
        bc = {"r+": Robin(2.0, 0.5, 1.0), "z": Robin(rng.uniform(0.5, 2, 17), 1.5, 0.0)}
    elif case == "surface":
        g, k = _holes((25, 19, 7))
        bc = {"x-": Robin(1.0, 3.0, 0.0), "*": Robin(0.3, 1.0, 0.0), "surface": Robin(4.0, 1.0, 2.0)}
    else:
        g = Grid((17, 13) if case == "2d" else (9, 8, 7))
        k = fg.Cells(rng.uniform(1, 3, cell_shape(g)) * 10.0 ** rng.integers(-3, 4, cell_shape(g)))
        bc = {"x-": Robin(1.0, 3.0, 0.0), "*": Robin(rng.uniform(0.1, 2.0), 0.7, 0.0)}  # every edge and corner
    prob = Problem(g, bc, k)
    dense = _dense_robin_diag(prob)
    assert (dense < 0).sum() > 2 * g.shape[0]
    rd = prob.robin_diag()
    assert np.array_equal(rd, dense) and not np.signbit(rd[dense == 0]).any()
    where, vals = prob._robin_terms()
    assert np.array_equal(vals, dense.reshape(-1)[where]) and not dense.reshape(-1)[np.setdiff1d(
        np.arange(dense.size), where)].any()
    # links_diag's D: the diagonal of the links plus the dense diagonal, as it was formed
    from fieldgrad.solvers.mg_links import diag_from_links
    Lx, Ly, Lz, D, tables = Problem(g, bc, k).links_diag()
    ref = np.empty(prob.shape3)
    diag_from_links(*prob.link_coefficients(), *(x for t in tables for x in t), ref)
    ref += dense
    prob._outside_rows(ref)
    assert np.array_equal(D, ref) and np.array_equal(np.signbit(D), np.signbit(ref))
