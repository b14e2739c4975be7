"""Fixtures of the administration tests: apps whose test clients isolate each request."""

import pytest

from tests.core.support import IsolatedClient


@pytest.fixture
def client_class():
    return IsolatedClient
