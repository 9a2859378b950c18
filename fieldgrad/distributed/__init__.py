"""MPI domain decomposition (mpi4py) and Dask operators for fields past one machine's memory."""
from .decomposition import Decomposition, split_axis
from .gather import Block, Part, gather
from .results import HeatPart, PoissonPart
from .operators import BlockOperators, curl, div, div_k_grad, grad, laplacian
from .heat import solve_heat
from .poisson import solve_poisson
from .nonlinear import NonlinearHeatPart, NonlinearPart, solve_nonlinear, solve_nonlinear_heat
from .io import PartsWriter, under_mpi, world, write_parts

__all__ = ["Decomposition", "split_axis", "Block", "Part", "HeatPart", "PoissonPart", "gather", "BlockOperators", "laplacian", "grad", "div", "div_k_grad", "curl",
           "solve_heat", "solve_poisson", "solve_nonlinear", "solve_nonlinear_heat", "NonlinearPart",
           "NonlinearHeatPart", "write_parts", "PartsWriter", "under_mpi", "world"]
