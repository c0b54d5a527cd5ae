from __future__ import annotations

import pytest

from tests.reports.books import Books, make_books
from tests.support import Api


@pytest.fixture(scope="module")
def books(api: Api) -> Books:
    return make_books(api)
