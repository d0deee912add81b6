"""Installations (/v1/installations/me) and companies (/v1/companies).

InstallationResponse is not wrapped in {"data": ...} in Pleo's OpenAPI, so it is
answered flat here too. Deleting the installation revokes every OAuth token.
"""

from __future__ import annotations

from .common import derived_id, is_uuid, iso, new_id
from .pagination import paginate_rows
from .web import Response, bad_request, not_found

STATUSES = ("ACTIVATED", "INACTIVE", "AUTHORIZED", "PENDING_INTEGRATION", "ERROR")
ERROR_CODES = ("NOT_ENTITLED", "AUTH_ERROR")


class InstallationStore:
    def __init__(self, state):
        self.state = state
        self.current: dict | None = None

    def ensure(self, status) -> dict:
        if self.current is None:
            now = iso(self.state.clock.now())
            self.current = {
                "id": new_id(),
                "applicationId": derived_id("application", self.state.auth.client_id),
                "resource": f"urn:pleo:company:{self.state.company_id}",
                "status": status,
                "metadata": {},
                "errorCode": None,
                "createdAt": now,
                "updatedAt": now,
            }
        return self.current

    def get(self) -> dict:
        if self.current is None:
            raise not_found("No installation for this client", "INSTALLATION_NOT_FOUND")
        return self.current

    def set(self, **values):
        current = self.get()
        current.update(values, updatedAt=iso(self.state.clock.now()))
        return current


def _status(value, required):
    if value is None and not required:
        return None
    if value not in STATUSES:
        raise bad_request(f"[status] must be one of {', '.join(STATUSES)}")
    return value


def _metadata(body):
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise bad_request("[metadata] must be an object")
    return metadata


def get_me(state, req):
    return Response(200, state.installations.get())


def create_me(state, req):
    body = req.json_object(required=False)
    status = _status(body.get("status"), False) or "PENDING_INTEGRATION"
    metadata = _metadata(body)
    store = state.installations
    if store.current is None:
        store.ensure(status)
    values = {"status": status}
    if metadata is not None:
        values["metadata"] = metadata
    return Response(200, store.set(**values))


def update_me(state, req):
    body = req.json_object()
    values = {"status": _status(body.get("status"), True)}
    code = body.get("errorCode")
    if code is not None and code not in ERROR_CODES:
        raise bad_request(f"[errorCode] must be one of {', '.join(ERROR_CODES)}")
    values["errorCode"] = code
    if _metadata(body) is not None:
        values["metadata"] = body["metadata"]
    return Response(200, state.installations.set(**values))


def delete_me(state, req):
    state.installations.get()
    state.installations.current = None
    state.auth.revoke_all()
    return Response(204)


def activate_me(state, req):
    return Response(200, state.installations.set(status="ACTIVATED", errorCode=None))


def company_json(state) -> dict:
    return {
        "id": state.company_id,
        "name": "Sandbox Nordic ApS",
        "organizationId": state.organization_id,
        "registrationNumber": "DK12345678",
        "address": {
            "addressLine1": "Vesterbrogade 1",
            "addressLine2": None,
            "country": "DK",
            "locality": "Copenhagen",
            "postalCode": "1620",
            "region": "Capital Region",
        },
    }


def get_company(state, req):
    company_id = req.params["companyId"]
    if not is_uuid(company_id) or company_id.lower() != state.company_id:
        raise not_found(f"Company {company_id} not found", "COMPANY_NOT_FOUND")
    return Response(200, {"data": company_json(state)})


def list_companies(state, req):
    return Response(200, paginate_rows(req, [company_json(state)]))


ROUTES = [
    ("GET", "/v1/installations/me", get_me),
    ("POST", "/v1/installations/me", create_me),
    ("PUT", "/v1/installations/me", update_me),
    ("DELETE", "/v1/installations/me", delete_me),
    ("POST", "/v1/installations/me:activate", activate_me),
    ("PUT", "/v1/installations/completions", activate_me),
    ("GET", "/v1/companies", list_companies),
    ("GET", "/v1/companies/{companyId}", get_company),
]
