import pytest

from _gradflow_helpers import IDS, SETUPS


@pytest.fixture(params=SETUPS, ids=IDS)
def setup(request):
    """(name, grid, bc, homogeneous bc) for every boundary kind."""
    return request.param
