"""Materials on the cells of a grid: cell-valued and orthotropic conductivity, contact resistance.

:class:`Cells` marks cell values (the boxes between nodes), :class:`Orthotropic` gives one
conductivity per axis, :class:`Contact` puts an interface resistance between labelled regions.
The solvers (:func:`fieldgrad.solve_poisson`, :func:`fieldgrad.poisson_matrix`, the fields'
``steady``) turn them into face conductances through
:class:`fieldgrad.solvers.discretize.Problem`.

Example
-------
>>> g = fg.Grid((5,), extent=[(0, 1)])
>>> k = Cells([1.0, 1.0, 3.0, 3.0])
>>> u = fg.solve_poisson(np.zeros(5), g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0)},
...                             k=k).u
>>> round(float(u[2]), 12)    # series wall: the drop splits 3:1
0.75
"""
from .cells import Cells, cell_centres, cell_shape, check_cell_values
from .conductivity import Conductivity, Orthotropic, resolve_conductivity
from .contact import Contact, resolve_contact

__all__ = ["Cells", "Orthotropic", "Contact", "cell_shape", "cell_centres", "check_cell_values",
           "Conductivity", "resolve_conductivity", "resolve_contact"]
