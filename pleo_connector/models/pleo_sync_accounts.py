# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 3: purchase taxes -> tax codes, then accounts -> chart of accounts.

Tax codes: key ``code``, the tax's Pleo code if set, else ``TAX<id>``. Accounts:
key ``externalId`` = the account id, each with ``taxCodeExternalId`` = the code
of its first purchase tax. Tax codes sync first: Pleo refuses an account naming
an unknown tax code.
"""

from odoo import _, models
from odoo.tools.safe_eval import safe_eval

from .. import compat
from ..services.sync_planner import Local, plan_sync


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Level 3: tax codes, then accounts
    # ------------------------------------------------------------------
    def _pleo_tax_rows(self, known_keys=None):
        """Purchase taxes of the company as Locals (and labels, skipped lines);
        `known_keys` are the tax codes bound so far ({tax id: code})."""
        known_keys = known_keys or {}
        company = self.company_id
        Tax = self.env["account.tax"].sudo().with_context(active_test=False)
        names = ["name", "amount", "amount_type", "price_include", "active"]
        has_pleo_code = "pleo_code" in Tax._fields
        if has_pleo_code:
            names.append("pleo_code")
        taxes = Tax.search_read(
            [("type_tax_use", "=", "purchase"), ("company_id", "=", company.id)], names
        )
        reps = (
            self.env["account.tax.repartition.line"]
            .sudo()
            .search_read(
                [
                    ("tax_id", "in", [t["id"] for t in taxes]),
                    ("document_type", "=", "invoice"),
                    ("repartition_type", "=", "tax"),
                ],
                ["tax_id", "factor_percent", "account_id"],
            )
        )
        account_ids = {r["account_id"][0] for r in reps if r["account_id"]}
        codes = {
            a["id"]: a["code"]
            for a in self.env["account.account"]
            .sudo()
            .with_company(company)
            .with_context(active_test=False)
            .search_read([("id", "in", list(account_ids))], ["code"])
        }
        lines_of = {}
        for rep in reps:
            lines_of.setdefault(rep["tax_id"][0], []).append(rep)
        locals_, labels, skipped = [], {}, []
        for tax in taxes:
            labels[tax["id"]] = tax["name"]
            if tax["amount_type"] not in ("percent", "division") or not (
                0 <= tax["amount"] <= 100
            ):
                skipped.append(
                    _(
                        "%s: skipped, Pleo tax codes need a percentage rate",
                        tax["name"],
                    )
                )
                continue
            own = (tax.get("pleo_code") or "").strip()
            code = own or known_keys.get(tax["id"]) or f"TAX{tax['id']}"
            lines = lines_of.get(tax["id"], [])
            negative = [r for r in lines if r["factor_percent"] < 0]
            positive = [r for r in lines if r["factor_percent"] > 0]
            ingoing = outgoing = None
            if negative:
                # Reverse charge: the tax is both due (negative line, output VAT)
                # and deductible (positive line, input VAT).
                tax_type = "reverse"
                ingoing = next(
                    (
                        codes.get(r["account_id"][0])
                        for r in positive
                        if r["account_id"]
                    ),
                    None,
                )
                outgoing = next(
                    (
                        codes.get(r["account_id"][0])
                        for r in negative
                        if r["account_id"]
                    ),
                    None,
                )
            elif self.pleo_tax_type_policy == "odoo" and not tax["price_include"]:
                tax_type = "exclusive"
            else:
                tax_type = "inclusive"
            values = {
                "code": code,
                "name": tax["name"][:255],
                "rate": round(tax["amount"] / 100.0, 6),
                "type": tax_type,
                "ingoingTaxAccount": ingoing,
                "outgoingTaxAccount": outgoing,
            }
            locals_.append(
                Local(
                    tax["id"],
                    (code,),
                    values,
                    active=tax["active"],
                    key_field="code",
                    yields_key=not own,
                )
            )
        return locals_, labels, skipped

    def _pleo_sync_tax_codes(self, client, run):
        bindings = self._pleo_bindings("tax_code")
        locals_, labels, skipped = self._pleo_tax_rows(
            {b.res_id: b.external_key for b in bindings}
        )
        run.lines.extend(skipped)
        names = (
            "code",
            "name",
            "rate",
            "type",
            "ingoingTaxAccount",
            "outgoingTaxAccount",
        )
        remotes = [
            self._pleo_remote(t, ("code",), names, bool(t.get("archived")))
            for t in client.iter_tax_codes()
        ]
        plan = plan_sync(
            locals_,
            remotes,
            bindings,
            archive_unmatched=self._pleo_archives_unmatched(bindings),
        )

        def kwargs(values, archived):
            return {
                "code": values.get("code"),
                "archived": archived,
                "ingoing_tax_account": values.get("ingoingTaxAccount"),
                "outgoing_tax_account": values.get("outgoingTaxAccount"),
            }

        def create(action):
            values = action.local.values
            return client.create_tax_code(
                values["name"], values["rate"], values["type"], **kwargs(values, False)
            )["id"]

        def update(action, archived):
            values = action.local.values
            client.update_tax_code(
                action.pleo_id,
                values["name"],
                values["rate"],
                values["type"],
                **kwargs(values, archived),
            )

        def archive(action):
            values = action.remote.values
            client.update_tax_code(
                action.pleo_id,
                values.get("name"),
                values.get("rate"),
                values.get("type"),
                **kwargs(values, True),
            )

        self._pleo_apply(
            run,
            "tax_code",
            plan,
            {"create": create, "update": update, "archive": archive},
            labels,
        )

    def _pleo_account_domain(self):
        self.ensure_one()
        domain = safe_eval(self.pleo_account_domain or "[]")
        if not isinstance(domain, list | tuple):
            raise ValueError(_("A domain is a list of conditions."))
        return list(domain)

    def _pleo_sync_accounts(self, client, run):
        company = self.company_id
        Account = (
            self.env["account.account"]
            .sudo()
            .with_company(company)
            .with_context(active_test=False)
        )
        closed_field, closed = compat.account_closed_flag(Account)
        bindings = self._pleo_bindings("account")
        known_keys = {b.res_id: b.external_key for b in bindings}
        rows = Account.search_read(
            Account._check_company_domain(company) + self._pleo_account_domain(),
            ["name", "code", closed_field, "tax_ids"],
        )
        # Tax codes Pleo knows (bound and active): the only valid references.
        tax_codes = {
            r["res_id"]: r["external_key"]
            for r in self.env["pleo.binding"]
            .sudo()
            .search_read(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", "tax_code"),
                    ("archived", "=", False),
                ],
                ["res_id", "external_key"],
            )
        }
        all_tax_ids = sorted({t for r in rows for t in r["tax_ids"]})
        purchase = {
            t["id"]: t["sequence"]
            for t in self.env["account.tax"]
            .sudo()
            .search_read(
                [("id", "in", all_tax_ids), ("type_tax_use", "=", "purchase")],
                ["sequence"],
            )
        }
        labels, locals_ = {}, []
        for row in rows:
            taxes = sorted((purchase[t], t) for t in row["tax_ids"] if t in purchase)
            tax_code = next((tax_codes[t] for _seq, t in taxes if t in tax_codes), None)
            # Pleo cannot change an account's externalId: an adopted one keeps
            # its own (the binding remembers it), the export also maps codes.
            external_id = known_keys.get(row["id"]) or str(row["id"])
            labels[row["id"]] = f"{row['code']} {row['name']}"
            values = {
                "externalId": external_id,
                "code": row["code"] or None,
                "name": row["name"][:255],
                "taxCodeExternalId": tax_code,
            }
            locals_.append(
                Local(
                    row["id"],
                    (external_id, row["code"]),
                    values,
                    active=row[closed_field] != closed,
                    key_field="externalId",
                    yields_key=True,
                )
            )
        names = ("externalId", "code", "name", "taxCodeExternalId")
        remotes = [
            self._pleo_remote(a, ("externalId", "code"), names, bool(a.get("archived")))
            for a in client.iter_accounts()
        ]
        plan = plan_sync(
            locals_,
            remotes,
            bindings,
            archive_unmatched=self._pleo_archives_unmatched(bindings),
        )

        def create(action):
            values = action.local.values
            return client.create_account(
                values["externalId"],
                values["name"],
                code=values["code"],
                archived=False,
                tax_code_external_id=values["taxCodeExternalId"],
            )["id"]

        def create_batch(actions):
            by_external = {a.local.values["externalId"]: a for a in actions}
            items = [{**a.local.values, "archived": False} for a in actions]
            for item in items:
                if item["taxCodeExternalId"] is None:
                    del item["taxCodeExternalId"]
            result = client.create_accounts_batch(items)
            out = []
            for row in result.get("created") or []:
                action = by_external.pop(row.get("externalId"), None)
                if action:
                    out.append((action, row["id"], None))
            for failure in result.get("failed") or []:
                request = failure.get("request") or {}
                action = by_external.pop(request.get("externalId"), None)
                if action:
                    reasons = ", ".join(failure.get("reasons") or []) or "refused"
                    out.append((action, None, reasons))
            out.extend((a, None, "no answer from Pleo") for a in by_external.values())
            return out

        def update(action, archived):
            values = action.local.values
            client.update_account(
                action.pleo_id,
                values["name"],
                archived,
                code=values["code"],
                tax_code_external_id=values["taxCodeExternalId"],
            )

        def archive(action):
            values = action.remote.values
            client.update_account(
                action.pleo_id,
                values.get("name"),
                True,
                code=values.get("code"),
                tax_code_external_id=values.get("taxCodeExternalId"),
            )

        self._pleo_apply(
            run,
            "account",
            plan,
            {
                "create": create,
                "create_batch": create_batch,
                "update": update,
                "archive": archive,
            },
            labels,
        )
