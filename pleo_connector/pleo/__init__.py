"""Pure-Python client of Pleo's External API (no Odoo import anywhere below here).

In Odoo: ``from odoo.addons.pleo_connector.pleo import PleoClient``;
elsewhere: ``from pleo_connector.pleo import PleoClient``.
"""

from . import errors
from .auth import ApiKeyAuth, BearerTokenAuth
from .client import PleoClient
from .environments import (
    DEFAULT_SCOPES,
    Environment,
    environment_for,
    is_loopback_url,
)
from .oauth import PleoOAuth
from .webhook_signature import verify_webhook

__all__ = [
    "DEFAULT_SCOPES",
    "ApiKeyAuth",
    "BearerTokenAuth",
    "Environment",
    "PleoClient",
    "PleoOAuth",
    "environment_for",
    "is_loopback_url",
    "errors",
    "verify_webhook",
]
