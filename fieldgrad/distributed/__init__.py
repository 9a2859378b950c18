"""MPI domain decomposition (mpi4py) and Dask operators for fields past one machine's memory."""
from .decomposition import Decomposition, split_axis
from .gather import Part, gather
from .operators import BlockOperators, div_k_grad, grad, laplacian
from .heat import solve_heat
from .poisson import solve_poisson
