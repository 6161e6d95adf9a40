"""pytest plugin: every ``/api/v1`` answer the Django test client receives, in any test, is
checked against the OpenAPI document by openapi-core — its status must be declared for the
operation and its body must match the declared schema. So the document cannot drift from
what the API does, and every API test checks the docs for free.

Registered from the root ``conftest.py`` (``pytest_plugins``). The document itself and the
interactive docs are not operations and are left out; so are answers for paths or methods
the document does not have (Django's own 404 and ninja's 405), which are not the API's.
A test that means to see an answer the document does not describe can opt out with
``@pytest.mark.openapi_unchecked``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client

API_PREFIX = "/api/v1/"
UNCHECKED = ("/api/v1/openapi.json", "/api/v1/docs")


@cache
def _openapi() -> Any:
    from openapi_core import OpenAPI

    from stride.api import api

    # Through JSON, as clients read it: ninja's dict has integer status keys.
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix=API_PREFIX)))
    return OpenAPI.from_dict(document)


def check_response(response: HttpResponseBase) -> None:
    """Raise ``AssertionError`` naming the operation when ``response`` (from the test
    client, so it carries its ``wsgi_request``) is not what the document declares."""
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
    from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
    from openapi_core.validation.response.exceptions import DataValidationError

    request = response.wsgi_request  # type: ignore[attr-defined]
    try:
        _openapi().validate_response(DjangoOpenAPIRequest(request), DjangoOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        return
    except Exception as error:
        cause = error.__cause__ or error
        details = ""
        if isinstance(error, DataValidationError) or hasattr(cause, "schema_errors"):
            details = "\n".join(
                f"  {'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in getattr(cause, "schema_errors", [])
            )
        raise AssertionError(
            f"{request.method} {request.get_full_path()} answered {response.status_code}, "
            f"which the OpenAPI document does not describe: {type(cause).__name__}: "
            f"{cause}\n{details}\nbody: {response.content[:500]!r}"
        ) from error


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "openapi_unchecked: do not check this test's API answers against the document"
    )


@pytest.fixture(autouse=True)
def _check_api_answers(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("openapi_unchecked"):
        yield
        return
    original = Client.request

    def checked(self: Client, **kwargs: Any) -> Any:
        response = original(self, **kwargs)
        path = kwargs.get("PATH_INFO", "")
        if path.startswith(API_PREFIX) and not path.startswith(UNCHECKED):
            check_response(response)
        return response

    Client.request = checked  # type: ignore[method-assign]
    try:
        yield
    finally:
        Client.request = original  # type: ignore[method-assign]
