"""One torch thread for tests that call demo internals, as demos run (`nn_demos.device`).

Demos go through `registry.register`, which pins one thread; tests that train with the
functions underneath would otherwise run on torch's default threads, and on a shared 2-core
machine OpenMP's spin-waiting made them several times slower.
"""

from collections.abc import Iterator

import pytest

from nn_demos.device import one_thread


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread() -> Iterator[None]:
    """Every test of the importing module on one torch thread."""
    with one_thread():
        yield
