"""Failed calls become typed errors: Pleo's type and message, status, request id."""

import pytest
import requests
import responses
from client_support import API, JOB, make_client

from pleo_connector.pleo import errors

JOB_URL = f"{API}/v3/export-jobs/{JOB}"


@responses.activate
@pytest.mark.parametrize(
    ("status", "error_class", "retryable"),
    [
        (400, errors.PleoValidationError, False),
        (401, errors.PleoAuthError, False),
        (403, errors.PleoForbidden, False),
        (404, errors.PleoNotFound, False),
        (409, errors.PleoConflict, False),
        (413, errors.PleoPayloadTooLarge, False),
        (422, errors.PleoValidationError, False),
        (429, errors.PleoRateLimited, True),
        (500, errors.PleoServerError, True),
        (503, errors.PleoServerError, True),
        (418, errors.PleoError, False),
    ],
)
def test_status_maps_to_error_class(status, error_class, retryable):
    body = {"type": "SOME_CODE", "message": "Something is off"}
    responses.get(JOB_URL, status=status, json=body, headers={"X-Request-Id": "rq-1"})

    with pytest.raises(error_class) as caught:
        make_client(max_retries=0).get_export_job(JOB)

    err = caught.value
    assert type(err) is error_class
    assert (err.status, err.type, err.request_id) == (status, "SOME_CODE", "rq-1")
    assert err.message.startswith("Something is off")
    assert err.retryable is retryable
    text = str(err)
    assert "SOME_CODE" in text and "Something is off" in text and "rq-1" in text
    assert f"/v3/export-jobs/{JOB}" in text  # which call failed


@responses.activate
def test_pleo_export_error_example():
    responses.post(
        f"{API}/v3/export-job-events",
        status=422,
        json={
            "type": "INVALID_EXPORT_JOB_STATUS_CHANGE",
            "message": "Cannot start a completed job",
        },
    )
    with pytest.raises(errors.PleoValidationError) as caught:
        make_client().post_export_job_event(JOB, "started")
    assert caught.value.type == "INVALID_EXPORT_JOB_STATUS_CHANGE"


@responses.activate
def test_non_json_error_body_keeps_its_text():
    responses.get(JOB_URL, status=502, body="<html>Bad gateway</html>")
    with pytest.raises(errors.PleoServerError) as caught:
        make_client(max_retries=0).get_export_job(JOB)
    assert caught.value.type is None
    assert "Bad gateway" in caught.value.message


@responses.activate
def test_connection_failure_is_a_retryable_connection_error():
    responses.get(JOB_URL, body=requests.ConnectionError("connection refused"))
    with pytest.raises(errors.PleoConnectionError) as caught:
        make_client().get_export_job(JOB)
    assert caught.value.retryable


@responses.activate
def test_success_body_that_is_not_json():
    responses.get(JOB_URL, body="surprise")
    with pytest.raises(errors.PleoError, match="not JSON"):
        make_client().get_export_job(JOB)


def test_token_revoked_is_an_auth_error():
    err = errors.PleoTokenRevoked("Refresh token revoked", 400, "invalid_grant")
    assert isinstance(err, errors.PleoAuthError)
    assert not err.retryable
    assert str(err) == "400 invalid_grant: Refresh token revoked"
    assert str(errors.PleoError("plain")) == "plain"


def test_calls_needing_the_company_id_say_so():
    client = make_client(company_id=None)
    with pytest.raises(errors.PleoError, match="company"):
        client.create_account("ext-1", "Travel")
