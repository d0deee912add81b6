# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Registers this Odoo as the receiver of the connection's Pleo webhooks."""

import logging

from odoo import _, models
from odoo.exceptions import UserError

from ..pleo import errors
from .pleo_access import PLEO_MANAGER, SYSTEM, pleo_requires

_logger = logging.getLogger(__name__)

EXPORT_JOB_CREATED = "v1.export-job.created"
VENDOR_CREATED = "v1.vendor.created"


class PleoConnection(models.Model):  # pylint: disable=consider-merging-classes-inherited
    _inherit = "pleo.connection"

    def _pleo_webhook_url(self):
        """The URL Pleo calls; its last part is a secret, never shown or logged."""
        self.ensure_one()
        return (
            f"{self.get_base_url()}/pleo/webhook/{self._pleo_secret('webhook_token')}"
        )

    def _pleo_webhook_url_shown(self):
        """The webhook URL as people may see it: without its secret part."""
        self.ensure_one()
        return f"{self.get_base_url()}/pleo/webhook/…"

    def _pleo_webhook_event_types(self):
        """Events this connection's level listens to; polling stays the safety net."""
        self.ensure_one()
        event_types = [EXPORT_JOB_CREATED]
        if self._level_at_least("4"):
            event_types.append(VENDOR_CREATED)
        return event_types

    def _pleo_find_subscription(self, client, url):
        """Our subscription: the stored id, else one already pointing at our URL.

        Looking it up by URL keeps a lost id from creating a second subscription.
        """
        if self.webhook_subscription_id:
            try:
                return client.get_subscription(self.webhook_subscription_id)
            except errors.PleoNotFound:
                pass
        for subscription in client.list_subscriptions():
            if subscription.get("endpointUrl") == url:
                return subscription
        return None

    @pleo_requires(PLEO_MANAGER, "write")
    def action_pleo_register_webhooks(self):
        """Create or update the Pleo subscription and store its signing secret."""
        for conn in self:
            url = conn._pleo_webhook_url()
            event_types = conn._pleo_webhook_event_types()
            client = conn._pleo_client()
            try:
                subscription = conn._pleo_find_subscription(client, url)
                if subscription:
                    subscription = client.update_subscription(
                        subscription["id"], url, event_types, status="ACTIVE"
                    )
                else:
                    subscription = client.create_subscription(url, event_types)
                secret = client.get_subscription_secret(subscription["id"])
            except errors.PleoError as exc:
                raise UserError(
                    _("Pleo did not accept the webhook subscription: %s", exc)
                ) from exc
            finally:
                client.close()
            conn.sudo().write(
                {
                    "webhook_subscription_id": subscription["id"],
                    "webhook_secret": secret,
                }
            )
            conn.message_post(
                body=_(
                    "Pleo sends %(events)s to %(url)s.",
                    events=", ".join(event_types),
                    url=conn._pleo_webhook_url_shown(),
                )
            )
        return True

    @pleo_requires(PLEO_MANAGER, "write")
    def action_pleo_unregister_webhooks(self):
        """Delete the subscription in Pleo and forget its secret."""
        for conn in self.filtered("webhook_subscription_id"):
            client = conn._pleo_client()
            try:
                client.delete_subscription(conn.webhook_subscription_id)
            except errors.PleoNotFound:
                pass
            finally:
                client.close()
            conn.sudo().write(
                {"webhook_subscription_id": False, "webhook_secret": False}
            )
            conn.message_post(body=_("Pleo webhooks switched off."))
        return True

    @pleo_requires(SYSTEM, "write")
    def action_pleo_disconnect(self):
        # The subscription can only be deleted while the tokens still work.
        for conn in self.filtered("webhook_subscription_id"):
            try:
                conn.action_pleo_unregister_webhooks()
            except (errors.PleoError, UserError) as exc:
                _logger.warning(
                    "Pleo connection %s: subscription not deleted: %s", conn.id, exc
                )
        return super().action_pleo_disconnect()
