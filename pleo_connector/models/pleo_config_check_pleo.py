# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the configuration check reads from Pleo: read calls only.

The client is the connection's own, wrapped in ``pleo.dry_run.DryRunClient``:
a write would be recorded there, never sent. Pleo users (accountants) may run
the check, while ``_pleo_client()`` is for Pleo managers: the client is made
through sudo() only after the caller's access to the connection was checked,
and only ever handed to the read-only wrapper.
"""

import logging
from datetime import datetime, timezone

from odoo import models
from odoo.exceptions import UserError

from ..pleo import errors
from ..pleo.dry_run import DryRunClient
from ..services.config_rules import PleoFacts
from .pleo_access import PLEO_USER, check_pleo_access

_logger = logging.getLogger(__name__)

PAGE_SIZE = 1000
# Pending and in-progress jobs whose first page of items the check reads.
JOBS_READ = 5


def _pleo_time(value):
    """Pleo's ISO timestamp as Odoo's naive UTC datetime (None if unreadable)."""
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    if stamp.tzinfo:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp


class PleoConfigCheck(models.TransientModel):
    _inherit = "pleo.config.check"  # pylint: disable=consider-merging-classes-inherited

    def _pleo_read_only_client(self, connection):
        """The connection's client for a Pleo user, able to read only."""
        check_pleo_access(connection, PLEO_USER, "read")
        client = connection.sudo()._pleo_client()
        client.page_size = max(client.page_size or 0, PAGE_SIZE)
        return DryRunClient(client)

    def _pleo_read_pleo(self, connection):
        """(PleoFacts, requests sent): what Pleo holds, or why it was not read."""
        facts = PleoFacts()
        if connection.state not in ("connected", "attention"):
            return facts, 0  # not (or no longer) authorised: nothing to read
        try:
            client = self._pleo_read_only_client(connection)
        except UserError as exc:
            facts.error_kind, facts.error = "setup", exc.args[0]
            return facts, 0
        try:
            self._pleo_read_into(client, connection, facts)
            facts.read = True
        except (errors.PleoAuthError, errors.PleoForbidden) as exc:
            facts.error_kind, facts.error = "refused", str(exc)
        except errors.PleoError as exc:
            facts.error_kind, facts.error = "unreachable", str(exc)
        finally:
            client.close()
        if client.writes:  # never: every call below is a read
            _logger.error(
                "Pleo configuration check of connection %s tried to write: %s",
                connection.id,
                [name for name, _args, _kwargs in client.writes],
            )
        return facts, client.request_count

    def _pleo_read_into(self, client, connection, facts):
        if connection.pleo_company_id:
            # The credential first: a refusal says so before anything else.
            client.get_company(connection.pleo_company_id)
        facts.tax_codes = list(client.iter_tax_codes())
        facts.accounts = list(client.iter_accounts())
        not_contra = {a["id"] for a in client.iter_accounts(exclude_contra=True)}
        facts.contra_ids = {a["id"] for a in facts.accounts} - not_contra
        facts.jobs = list(client.list_export_jobs(statuses=("pending", "in_progress")))
        for job in facts.jobs[:JOBS_READ]:
            # The first page of each is enough to see wallets, dates, currencies.
            facts.items.extend(next(iter(client.iter_export_item_pages(job["id"])), []))
        if connection.webhook_subscription_id:
            try:
                sub = client.get_subscription(connection.webhook_subscription_id)
            except errors.PleoNotFound:
                facts.subscription_missing = True
            else:
                facts.subscription = sub or {}
                facts.subscription_created = _pleo_time(
                    facts.subscription.get("createdAt")
                )
