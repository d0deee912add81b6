# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 4: supplier partners -> Pleo vendors.

Key ``externalId`` = the partner id, ``code`` = the partner's reference, else
its id. Vendors created in Pleo are never archived by this push; drafts no Odoo
partner claims (a missed ``v1.vendor.created``) are imported as partners.
"""

from odoo import models

from ..services.sync_planner import Local, Remote, plan_sync
from ..services.vendor_keys import vat_key
from .pleo_connection_sync import RECORD_ERRORS

VENDOR_FIELDS = (
    "name",
    "defaultCurrency",
    "code",
    "externalId",
    "country",
    "registrationNumber",
    "taxRegistrationNumber",
)


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Level 4: vendors
    # ------------------------------------------------------------------
    def _pleo_vendor_domain(self):
        return [
            ("supplier_rank", ">", 0),
            ("company_id", "in", [False, self.company_id.id]),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
        ]

    def _pleo_vendor_locals(self, domain):
        company = self.company_id
        Partner = (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .with_context(active_test=False)
        )
        names = ["name", "vat", "company_registry", "country_id", "ref", "active"]
        has_currency = "property_purchase_currency_id" in Partner._fields
        if has_currency:
            names.append("property_purchase_currency_id")
        rows = Partner.search_read(domain, names, load=None)
        countries = {
            c["id"]: c["code"]
            for c in self.env["res.country"]
            .sudo()
            .search_read(
                [
                    (
                        "id",
                        "in",
                        list({r["country_id"] for r in rows if r["country_id"]}),
                    )
                ],
                ["code"],
            )
        }
        currencies = {
            c["id"]: c["name"]
            for c in self.env["res.currency"]
            .sudo()
            .with_context(active_test=False)
            .search_read([], ["name"])
        }
        default_currency = company.currency_id.name
        locals_, labels = [], {}
        for row in rows:
            external_id = str(row["id"])
            code = (row["ref"] or "").strip() or external_id
            currency_id = row.get("property_purchase_currency_id")
            values = {
                "name": (row["name"] or external_id)[:255],
                "defaultCurrency": currencies.get(currency_id) or default_currency,
                "code": code,
                "externalId": external_id,
                "country": countries.get(row["country_id"]),
                "registrationNumber": row["company_registry"] or None,
                "taxRegistrationNumber": row["vat"] or None,
            }
            labels[row["id"]] = values["name"]
            keys = (external_id, code, vat_key(row["vat"]))
            locals_.append(Local(row["id"], keys, values, active=row["active"]))
        return locals_, labels

    def _pleo_sync_vendors(self, client, run):
        locals_, labels = self._pleo_vendor_locals(self._pleo_vendor_domain())
        remotes = []
        drafts = {}
        for vendor in client.iter_vendors():
            remote = Remote(
                vendor["id"],
                (
                    vendor.get("externalId"),
                    vendor.get("code"),
                    vat_key(vendor.get("taxRegistrationNumber")),
                ),
                {n: vendor.get(n) for n in VENDOR_FIELDS},
                vendor.get("state") == "ARCHIVED",
            )
            remotes.append(remote)
            if vendor.get("state") == "DRAFT":
                drafts[vendor["id"]] = vendor
        bindings = self._pleo_bindings("vendor")
        plan = plan_sync(locals_, remotes, bindings, archive_unmatched=False)
        origin = {b.res_id: b.origin for b in bindings}

        def payload(values, state):
            return {
                "name": values["name"],
                "default_currency": values["defaultCurrency"],
                "code": values["code"],
                "external_id": values["externalId"],
                "country": values["country"],
                "registration_number": values["registrationNumber"],
                "tax_registration_number": values["taxRegistrationNumber"],
                "state": state,
            }

        def create(action):
            values = dict(payload(action.local.values, None))
            del values["state"]
            return client.create_vendor(**values)["id"]

        def update(action, archived):
            client.update_vendor(
                action.pleo_id,
                **payload(action.local.values, "ARCHIVED" if archived else "ACTIVE"),
            )

        def archive(action):
            client.archive_vendor(action.pleo_id)

        self._pleo_apply(
            run,
            "vendor",
            plan,
            {
                "create": create,
                "update": update,
                "archive": archive,
                "origin": origin,
            },
            labels,
        )
        # Drafts nobody in Odoo claims: the webhook was missed; import them now.
        run.flush()
        claimed = {
            a.pleo_id
            for a in plan.updates + plan.unarchives + plan.noops + plan.archives
        }
        for pleo_id, vendor in drafts.items():
            if pleo_id in claimed:
                continue
            try:
                with self.env.cr.savepoint():
                    outcome = self._pleo_vendor_to_partner(vendor, client)
            except RECORD_ERRORS as exc:
                run.fail(vendor.get("name") or pleo_id, exc)
                continue
            run.counts["created" if outcome == "created" else "updated"] += 1
