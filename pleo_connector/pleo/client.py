"""PleoClient: every API area on top of the shared transport."""

from __future__ import annotations

from .accounts import AccountsMixin
from .client_base import PleoClientBase
from .companies import CompaniesMixin
from .export import ExportMixin
from .installations import InstallationsMixin
from .tags import TagsMixin
from .tax_codes import TaxCodesMixin
from .vendors import VendorsMixin
from .webhooks import WebhooksMixin


class PleoClient(
    ExportMixin,
    TagsMixin,
    AccountsMixin,
    TaxCodesMixin,
    VendorsMixin,
    WebhooksMixin,
    InstallationsMixin,
    CompaniesMixin,
    PleoClientBase,
):
    """Pleo External API client for one company (or organisation) credential.

    PleoClient(env_or_api_url, auth, company_id=None, timeout=(5, 60),
    max_retries=5, backoff_factor=0.5, requests_per_minute=500, session=None,
    page_size=100). `auth` is ApiKeyAuth or BearerTokenAuth;
    requests_per_minute=0 turns the client-side throttle off. Use close() (or a
    with block) when done.
    """
