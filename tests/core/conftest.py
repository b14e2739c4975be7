"""Fixtures of the access and security tests: apps whose test clients isolate each request."""
import pytest

from tests.core.support import IsolatedClient


@pytest.fixture
def make_app(make_app):
    """The root factory, with test clients that give each request its own app context."""
    def factory(**overrides):
        app = make_app(**overrides)
        app.test_client_class = IsolatedClient
        return app
    return factory
