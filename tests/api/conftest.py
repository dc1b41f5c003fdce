"""Calling the API as a person with a personal token."""

import json

import pytest

from tether.accounts.services import create_api_token


class Caller:
    """The Django test client, sending a bearer token and JSON."""

    def __init__(self, client, secret):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method, path, body=None, raw=None, headers=None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def post(self, path, body=None, **kwargs):
        return self.send("post", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.send("put", path, body, **kwargs)


@pytest.fixture
def api_as(client):
    """A caller acting as `user` with a new token of `scope`."""

    def calling(user, scope="read-write"):
        return Caller(client, create_api_token(user, "tests", scope, 30).secret)

    return calling


@pytest.fixture
def as_ames(api_as, ames):
    return api_as(ames)
