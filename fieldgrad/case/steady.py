"""Steady case runs on one process: a sparse solve with fixed regions, then the field's flux and
balance, saved as one frame with :func:`fieldgrad.io.save`."""
from __future__ import annotations

__all__ = ["physical_field", "run_steady"]


def physical_field(case, ctx, data=None):
    """The case's :mod:`fieldgrad.fields` object (temperature / potential / pressure) for ``data``."""
    from ..fields import PotentialField, PressureField, TemperatureField

    mat, bc, src = ctx["mat"], ctx["bc"], ctx["src"]
    meta = {"length_unit": case.length_unit}
    if case.physics == "heat":
        return TemperatureField(case.grid, data, conductivity=mat["conductivity"], heat_capacity=mat["heat_capacity"],
                                bc=bc, source=src, units="degC", **meta)
    if case.physics == "electrostatics":
        return PotentialField(case.grid, data, permittivity=mat["permittivity"], bc=bc, charge_density=src, **meta)
    from .prepare import node_view

    return PressureField(case.grid, data, permeability=node_view(mat["permeability"], case.grid),
                         viscosity=mat["viscosity"], bc=bc,
                         source=src, **meta)


def run_steady(case, ctx, *, overwrite=False):
    """Solve a steady case and save temperature/potential/pressure, its flux and the coefficient.

    Parameters
    ----------
    case : Case
    ctx : dict -- from :func:`fieldgrad.case.prepare.prepare`
    overwrite : bool

    Returns
    -------
    dict -- ``field`` (the physical field), ``steps`` (text), ``ranges``, ``balance``
    """
    from .. import io as fio
    from ..fields._solve import solve_steady

    method = case.solver.get("method", "auto")
    src, fixed = ctx["src"], ctx["fixed"]
    u = solve_steady(case.grid, ctx["bc"], ctx["coef"], source=0.0 if src is None else src, fixed=fixed,
                     method=method, rtol=case.solver.get("rtol", 1e-12), t=case.t0)
    f = physical_field(case, ctx, u).holding(fixed)  # the balance counts what held regions give
    fields = {ctx["scalar"]: f.data, ctx["fluxname"]: f.flux(), ctx["coefname"]: ctx["coef_field"]}
    fio.save(ctx["paths"]["h5"], case.grid, t=case.t0, overwrite=overwrite, params=ctx["params"], bc=ctx["bc"],
             units=ctx["units"], long_names=ctx["long_names"], **{k: v for k, v in fields.items() if k in ctx["keep"]})
    out = {"field": f, "steps": f"1 steady solve ({method}, {int(case.grid.size)} nodes)",
           "ranges": {ctx["scalar"]: (f.min(), f.max())}}
    out["balance"] = f.balance(case.t0)
    return out
