"""Where Pleo lives: API and OAuth base URLs per environment, and default scopes."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

# Scopes shared by every environment (GUIDES §1.3). Webhook subscriptions and
# installations document no scope of their own.
_COMMON_SCOPES = (
    "export-jobs:read",
    "export-jobs:write",
    "export-items:read",
    "accounts:read",
    "accounts:write",
    "tax-codes:read",
    "tax-codes:write",
    "vendors:read",
    "vendors:write",
    "companies:read",
)
# Pleo spells the tag scopes differently in production and staging.
PRODUCTION_SCOPES = _COMMON_SCOPES + ("tag-group:read", "tag-group:write")
STAGING_SCOPES = _COMMON_SCOPES + ("tag-groups:read", "tag-groups:write")
DEFAULT_SCOPES = PRODUCTION_SCOPES


@dataclass(frozen=True)
class Environment:
    api_url: str
    auth_url: str
    name: str = "custom"
    scopes: tuple = DEFAULT_SCOPES


PRODUCTION = Environment(
    "https://external.pleo.io", "https://auth.pleo.io", "production", PRODUCTION_SCOPES
)
STAGING = Environment(
    "https://external.staging.pleo.io",
    "https://auth.staging.pleo.io",
    "staging",
    STAGING_SCOPES,
)


def normalise_url(url):
    """`url` without a trailing slash; refuses anything but http(s) URLs."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Not an http(s) URL: {url!r}")
    return parts.geturl().rstrip("/")


def is_loopback_url(url):
    """True when `url` names this machine: localhost or a loopback address.

    Names are not resolved: a DNS name pointing at 127.0.0.1 today may point
    elsewhere tomorrow.
    """
    host = (urlsplit(normalise_url(url)).hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def environment_for(name, custom_url=None):
    """The Environment called `name`: "production", "staging" or "custom".

    A custom environment (the sandbox) serves the API and /oauth/* on one URL.
    """
    if name == "production":
        return PRODUCTION
    if name == "staging":
        return STAGING
    if name == "custom":
        url = normalise_url(custom_url)
        return Environment(url, url, "custom", DEFAULT_SCOPES)
    raise ValueError(f"Unknown Pleo environment {name!r}")
