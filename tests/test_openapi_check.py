"""The response check of ``tests/openapi_check.py`` refuses what the document does not say."""

from __future__ import annotations

import pytest

from stride.testing import Cast
from tests.openapi_check import check_response


def test_a_documented_answer_passes(cast: Cast) -> None:
    response = cast.client(cast.alice).get("/api/v1/me")
    check_response(response)


def test_an_undeclared_status_is_refused(cast: Cast) -> None:
    response = cast.client(cast.alice).get("/api/v1/me")
    response.status_code = 418
    with pytest.raises(AssertionError, match="418"):
        check_response(response)


def test_a_body_that_does_not_match_its_schema_is_refused(cast: Cast) -> None:
    response = cast.client(cast.alice).get("/api/v1/me")
    response.content = b'{"id": "not a number"}'
    with pytest.raises(AssertionError, match="/api/v1/me"):
        check_response(response)


def test_an_error_body_must_have_the_error_shape(cast: Cast) -> None:
    response = cast.client(cast.alice).get("/api/v1/objectives?owner_id=x")
    assert response.status_code == 422
    response.content = b'{"detail": "a string where a list belongs"}'
    with pytest.raises(AssertionError):
        check_response(response)
