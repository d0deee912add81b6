# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 4: ``v1.vendor.created`` -> an Odoo partner.

The partner is matched by VAT, then exact name, else created; the vendor is
activated in Pleo (``:activate``) and bound to it, all or nothing.
"""

import logging

from odoo import _, models
from odoo.exceptions import UserError, ValidationError

from ..pleo import errors
from ..services.sync_planner import payload_hash
from ..services.vendor_keys import vat_key
from .pleo_connection_sync import SyncRun
from .pleo_webhook_event import PleoWebhookRetry

_logger = logging.getLogger(__name__)


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Level 4: vendors created in Pleo (webhook v1.vendor.created)
    # ------------------------------------------------------------------
    def _pleo_webhook_handlers(self):
        handlers = super()._pleo_webhook_handlers()
        handlers["v1.vendor.created"] = "_pleo_on_vendor_created"
        return handlers

    def _pleo_on_vendor_created(self, data):
        """Import one vendor created in Pleo. On failure nothing of it is kept
        but a failed sync log, and PleoWebhookRetry makes the route ask Pleo to
        deliver it again."""
        self.ensure_one()
        if not self._level_at_least("4") or not data.get("id"):
            return
        log = self.env["pleo.sync.log"]._pleo_start(self, "vendor_webhook")
        run = SyncRun(self, "vendor_webhook")
        client = None
        try:
            client = self._pleo_sync_client()
            outcome = self._pleo_vendor_to_partner(data, client)
        except (errors.PleoError, UserError) as exc:
            run.fail(data.get("name") or data["id"], exc)
            log._pleo_finish(
                run.counts,
                run.lines,
                client.request_count if client else 0,
                error=_("Vendor not imported; Pleo will deliver it again."),
            )
            raise PleoWebhookRetry(str(exc)) from exc
        key = {"created": "created", "linked": "updated"}.get(outcome, "unchanged")
        run.counts[key] += 1
        log._pleo_finish(run.counts, run.lines, client.request_count)

    def _pleo_vendor_to_partner(self, vendor, client):
        """Find or create the partner of a Pleo vendor, activate the vendor in
        Pleo, bind them. Idempotent: a vendor already bound is only re-activated
        if needed. All or nothing: if Pleo refuses the activation, the partner
        created (or the supplier rank given) is rolled back with it.
        Returns "created", "linked" or "known"."""
        self.ensure_one()
        # Serialise concurrent deliveries for this connection until commit. An
        # advisory lock, not a row lock: a token refresh locks the connection row
        # from another cursor and must not wait for us.
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(hashtext('pleo_vendor_webhook'), %s)",
            [self.id],
        )
        known = (
            self.env["pleo.binding"]
            .sudo()
            .search(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", "vendor"),
                    ("pleo_id", "=", vendor["id"]),
                ],
                limit=1,
            )
        )
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partner = Partner.browse(known.res_id).exists() if known else Partner
        if partner:
            if vendor.get("state") == "DRAFT":
                client.activate_vendor(
                    vendor["id"], str(partner.id), partner.ref or str(partner.id)
                )
            return "known"
        with self.env.cr.savepoint():
            partner, outcome = self._pleo_vendor_partner(vendor)
            code = partner.ref or str(partner.id)
            client.activate_vendor(vendor["id"], str(partner.id), code)
            self._pleo_bind_vendor(vendor, partner)
        _logger.info(
            "Pleo vendor %s %s as partner %s", vendor["id"], outcome, partner.id
        )
        return outcome

    def _pleo_vendor_partner(self, vendor):
        """(partner, "linked" or "created") for a vendor not bound yet."""
        partner = self._pleo_match_partner(vendor)
        if not partner:
            Partner = self.env["res.partner"].sudo()
            values = self._pleo_partner_values(vendor)
            try:
                with self.env.cr.savepoint():
                    partner = Partner.create(values)
            except ValidationError:
                # A VAT number Odoo's checks refuse: keep the vendor, drop the VAT.
                partner = Partner.create({**values, "vat": False})
            return partner, "created"
        other = (
            self.env["pleo.binding"]
            .sudo()
            .search(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", "vendor"),
                    ("res_id", "=", partner.id),
                    ("pleo_id", "!=", vendor["id"]),
                ],
                limit=1,
            )
        )
        if other:
            raise errors.PleoConflict(
                _(
                    "Pleo vendor %(vendor)s duplicates partner %(partner)s, "
                    "already linked to Pleo vendor %(other)s: merge them in "
                    "Pleo.",
                    vendor=vendor.get("name"),
                    partner=partner.display_name,
                    other=other.pleo_id,
                )
            )
        if not partner.supplier_rank:
            partner.supplier_rank = 1
        return partner, "linked"

    def _pleo_bind_vendor(self, vendor, partner):
        locals_, _labels = self._pleo_vendor_locals([("id", "=", partner.id)])
        self.env["pleo.binding"].sudo()._pleo_upsert(
            self,
            "vendor",
            [
                {
                    "res_id": partner.id,
                    "pleo_id": vendor["id"],
                    "external_key": str(partner.id),
                    "pushed_hash": payload_hash(locals_[0].values),
                    "origin": "pleo",
                }
            ],
        )

    def _pleo_match_partner(self, vendor):
        """The partner a Pleo vendor is: same VAT, else exactly the same name."""
        Partner = self.env["res.partner"].sudo()
        base = [
            ("company_id", "in", [False, self.company_id.id]),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
        ]
        vat = vat_key(vendor.get("taxRegistrationNumber"))
        if vat:
            # VAT numbers compared without spaces, dots or dashes, any case.
            self.env["res.partner"].flush_model(["vat"])
            self.env.cr.execute(
                "SELECT id FROM res_partner WHERE vat IS NOT NULL AND "
                "upper(regexp_replace(vat, '[^0-9A-Za-z]', '', 'g')) = %s",
                [vat],
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                found = Partner.search(
                    base + [("id", "in", ids)], order="supplier_rank desc, id", limit=1
                )
                if found:
                    return found
        name = (vendor.get("name") or "").strip()
        if name:
            candidates = Partner.search(
                base + [("name", "=", name)], order="supplier_rank desc, id"
            )
            country = vendor.get("country")
            same_country = candidates.filtered(
                lambda p: country and p.country_id.code == country
            )
            return (same_country or candidates)[:1]
        return Partner

    def _pleo_partner_values(self, vendor):
        country = False
        if vendor.get("country"):
            country = self.env["res.country"].search(
                [("code", "=", vendor["country"].upper())], limit=1
            )
        values = {
            "name": vendor.get("name") or vendor["id"],
            "is_company": True,
            "supplier_rank": 1,
            "company_id": self.company_id.id,
            "country_id": country.id if country else False,
            "vat": vendor.get("taxRegistrationNumber") or False,
            "company_registry": vendor.get("registrationNumber") or False,
        }
        Partner = self.env["res.partner"]
        currency_code = vendor.get("defaultCurrency")
        if currency_code and "property_purchase_currency_id" in Partner._fields:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", currency_code)], limit=1)
            )
            if currency and currency != self.company_id.currency_id:
                values["property_purchase_currency_id"] = currency.id
        return values
