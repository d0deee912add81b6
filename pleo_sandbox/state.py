"""The sandbox's whole state: configuration, stores and the operations that span
several of them (reset, new jobs with webhooks, draft vendors, snapshots).
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import asdict, dataclass

from . import seed as seeds
from .accounts import AccountStore
from .auth import AuthStore
from .common import Clock, derived_id
from .exports import ExportStore
from .faults import Faults, RateLimiter
from .installations import InstallationStore
from .receipts import LinkSigner
from .tags import TagStore
from .taxcodes import TaxCodeStore
from .vendors import VendorStore
from .webhooks import EVENT_TYPES, SubscriptionStore, deliver

# Stable default so a demo Odoo keeps verifying deliveries across restarts.
DEFAULT_WEBHOOK_SECRET = "whsec_c2FuZGJveC13ZWJob29rLXNlY3JldC0wMDE="


@dataclass
class Config:
    token_ttl: float = 900  # access-token lifetime, seconds
    job_expiry: float = 3600  # export job expires after this long without action
    file_ttl: float = 86400  # receipt links expire this long after the item is read
    rate_limit: int | None = 600  # requests per rolling minute per client; None: off
    receipts: bool = True  # items carry receipt files
    strict: bool = True  # refuse completing jobs with unreported items, etc.
    expire_pending: bool = False  # pending (not started) jobs expire too
    max_page_size: int = 1000
    stable_ids: bool = False  # job and entry ids repeat across runs


def parse_seed(value):
    """Validate a seed: demo, small, none, migrating (no job; master data with
    near-duplicates), an int N (or its digits), or a kind list."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            raise ValueError("An int seed must be >= 1")
        return value
    if isinstance(value, list | tuple):
        seeds.recipes_for(value)  # validates the kinds
        return list(value)
    if value in ("demo", "small", "none", "migrating"):
        return value
    raise ValueError(
        f"Unknown seed {value!r}: use demo, small, none, migrating or an int"
    )


class RequestLog:
    """Counts of requests by "METHOD /path/{template}" and by status."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.by_route: Counter = Counter()
            self.by_status: Counter = Counter()

    def hit(self, method, template, status):
        with self._lock:
            self.by_route[f"{method} {template}"] += 1
            self.by_status[str(status)] += 1

    def to_json(self):
        with self._lock:
            return {
                "total": sum(self.by_route.values()),
                "counts": dict(sorted(self.by_route.items())),
                "statuses": dict(sorted(self.by_status.items())),
            }


class SandboxState:
    def __init__(
        self,
        config: Config,
        *,
        seed="demo",
        company_id=None,
        client_id="pleo-sandbox-client",
        client_secret="pleo-sandbox-secret",
        api_key="pleo-sandbox-api-key",
        webhook_secret=None,
        redirect_uris=None,
    ):
        self.lock = threading.RLock()
        self.clock = Clock()
        self.config = config
        self.company_id = (company_id or derived_id("company", "sandbox")).lower()
        self.organization_id = derived_id("organization", self.company_id)
        self.webhook_secret = webhook_secret or DEFAULT_WEBHOOK_SECRET
        self.signer = LinkSigner(secrets.token_bytes(32))
        self.faults = Faults()
        self.limiter = RateLimiter(config.rate_limit)
        self.requests = RequestLog()
        self.auth = AuthStore(self, client_id, client_secret, api_key, redirect_uris)
        self.installations = InstallationStore(self)
        self.seed = parse_seed(seed)
        self.reset(self.seed)

    # --- lifecycle ---------------------------------------------------------------

    def reset(self, seed=None, *, tokens=False):
        """Fresh data for `seed` (default: the current one); tokens kept by default."""
        with self.lock:
            self.seed = parse_seed(self.seed if seed is None else seed)
            self.exports = ExportStore(self)
            self.tags = TagStore(self)
            self.accounts = AccountStore(self)
            self.tax_codes = TaxCodeStore(self)
            self.vendors = VendorStore(self)
            self.subscriptions = SubscriptionStore(self)
            self.tags.seed(seeds.TAG_GROUPS)
            self.tax_codes.seed(seeds.TAX_CODES)
            self.accounts.seed(seeds.ACCOUNTS)
            self.vendors.seed(seeds.VENDORS)
            if self.seed == "migrating":
                self.tags.seed(seeds.MIGRATING_TAG_GROUPS)
                self.tax_codes.seed(seeds.MIGRATING_TAX_CODES)
                self.accounts.seed(seeds.MIGRATING_ACCOUNTS)
                self.vendors.seed(seeds.MIGRATING_VENDORS)
            self.faults.clear()
            self.limiter.reset()
            self.requests.reset()
            if tokens:
                self.auth.revoke_all()
                self.installations.current = None
            # A minute apart, so "oldest first" is unambiguous.
            now = self.clock.now()
            if self.seed == "demo":
                self.exports.create("demo", created_at=now - 120)
                self.exports.create(
                    seeds.DEMO_SECOND_JOB, created_at=now - 60, cycle_offset=1
                )
            elif self.seed not in ("none", "migrating"):
                self.exports.create(self.seed, created_at=now - 60)

    # --- webhooks ----------------------------------------------------------------

    def notify(self, event_type, data) -> list[dict]:
        """Deliver an event to every active subscription. Call without the lock."""
        with self.lock:
            targets = self.subscriptions.targets(event_type)
        results = [
            deliver(self.webhook_secret, url, event_type, data, headers)
            for url, headers in targets
        ]
        with self.lock:
            self.subscriptions.record(results)
        return results

    def send_webhook(self, url, event_type, data=None) -> dict:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"Unknown event type {event_type!r}; known: {EVENT_TYPES}")
        if data is None:
            data = self.default_event_data(event_type)
        result = deliver(self.webhook_secret, url, event_type, data)
        with self.lock:
            self.subscriptions.record([result])
        return result

    def default_event_data(self, event_type) -> dict:
        with self.lock:
            if event_type == "v1.export-job.created":
                pending = [j for j in self.exports.all() if j.status == "pending"]
                if not pending:
                    pending = [self.exports.create("small")]
                return pending[-1].webhook_json(self.clock.now(), self.config)
            drafts = [v for v in self.vendors.vendors.values() if v["state"] == "DRAFT"]
            vendor = drafts[-1] if drafts else self.vendors.add(DRAFT_VENDOR, "DRAFT")
            return self.vendors.webhook_json(vendor)

    # --- operations behind /_sandbox ------------------------------------------------

    def create_job(self, seed="demo", *, notify=True, vendor_based=True, mix=None):
        """A user clicking Export in Pleo: a new pending job, then the webhook.
        An int seed N cycles through `mix` (e.g. "card"; default the demo's)."""
        with self.lock:
            seed = parse_seed(seed)
            if seed == "none":
                raise ValueError("A new job needs a seed: demo, small, an int or kinds")
            job = self.exports.create(seed, mix=mix)
            job.vendor_based = bool(vendor_based)
            data = job.to_json(self.clock.now(), self.config)
            snapshot = job.webhook_json(self.clock.now(), self.config)
        deliveries = self.notify("v1.export-job.created", snapshot) if notify else []
        return data, deliveries

    def create_draft_vendor(self, values=None, *, notify=True):
        """A bookkeeper adding a vendor in Pleo: DRAFT, code null, then the webhook."""
        values = {**DRAFT_VENDOR, **(values or {}), "code": None, "externalId": None}
        with self.lock:
            vendor = self.vendors.add(values, "DRAFT")
            snapshot = self.vendors.webhook_json(vendor)
        deliveries = self.notify("v1.vendor.created", snapshot) if notify else []
        return dict(vendor), deliveries

    def snapshot(self, with_items=True) -> dict:
        with self.lock:
            now = self.clock.now()
            jobs = []
            for job in self.exports.all():
                row = job.to_json(now, self.config)
                row["counts"] = job.counts()
                if with_items and job.count <= 1000:
                    row["reported"] = job.reported()
                jobs.append(row)
            return {
                "companyId": self.company_id,
                "config": asdict(self.config),
                "clockOffset": self.clock.offset,
                "jobs": jobs,
                "tagGroups": list(self.tags.groups.values()),
                "tags": list(self.tags.tags.values()),
                "accounts": list(self.accounts.accounts.values()),
                "taxCodes": list(self.tax_codes.codes.values()),
                "vendors": list(self.vendors.vendors.values()),
                "subscriptions": list(self.subscriptions.subscriptions.values()),
                "installation": self.installations.current,
                "auth": self.auth.summary(),
                "faults": self.faults.to_json(),
                "rateLimitRejections": self.limiter.rejected,
                "requests": self.requests.to_json(),
                "webhookDeliveries": self.subscriptions.deliveries[-50:],
            }


DRAFT_VENDOR = {
    "name": "Pleo Technologies GmbH",
    "country": "DE",
    "defaultCurrency": "EUR",
    "registrationNumber": "",
    "taxRegistrationNumber": "DE36538686",
}
