# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1 export lookups: Odoo accounts, taxes, analytics, wallets and partners
gathered once per job (and per page for partners) into a plain MappingContext."""

from odoo import models

from ..services.export_mapping import MappingContext, TaxInfo, move_type_for


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Lookups, gathered once per job into a plain MappingContext
    # ------------------------------------------------------------------
    def _pleo_export_context(self):
        self.ensure_one()
        company = self.company_id
        taxes = {}
        # A Pleo tax code matches the tax whose Pleo code it is; Level 3 sends
        # taxes without one as TAX<id>; else a tax of the same name.
        for tax in self._pleo_export_taxes():
            info = _tax_info(tax)
            taxes[f"TAX{tax.id}"] = info
            if tax.pleo_code:
                taxes.setdefault(tax.pleo_code, info)
            else:
                taxes.setdefault(tax.name, info)
        currencies = self.env["res.currency"].search([])
        wallets = {
            w.currency_id.name: (w.account_id.id, w.journal_id.id or None)
            for w in self.export_wallet_ids
        }
        return MappingContext(
            company_currency=company.currency_id.name,
            currency_digits={c.name: c.decimal_places for c in currencies},
            currency_ids={c.name: c.id for c in currencies},
            accounts=self._pleo_export_account_keys(),
            taxes=taxes,
            analytic=self._pleo_export_analytic_keys(),
            journal_id=self.export_journal_id.id or None,
            purchase_journal_id=self.export_purchase_journal_id.id or None,
            wallets=wallets,
            contra_account_id=self.export_contra_account_id.id or None,
            out_of_pocket_account_id=self.export_out_of_pocket_account_id.id or None,
            expense_account_id=self.export_expense_account_id.id or None,
            payable_account_id=self.export_payable_account_id.id or None,
            rate_of=self._pleo_rate_lookup(),
            distribution_models=bool(
                self.env["account.analytic.distribution.model"].search_count(
                    [("company_id", "in", (False, company.id))], limit=1
                )
            ),
        )

    def _pleo_export_account_keys(self):
        """{Pleo account key: account id}: the id, the code, and the externalId
        Pleo had for an account adopted on the first sync."""
        company = self.company_id
        Account = self.env["account.account"].with_company(company)
        accounts = {}
        for account in Account.search_fetch(
            Account._check_company_domain(company), ["code"]
        ):
            accounts[str(account.id)] = account.id
            if account.code:
                accounts[account.code] = account.id
        for binding in self._pleo_bindings("account"):
            if binding.external_key:
                accounts.setdefault(binding.external_key, binding.res_id)
        return accounts

    def _pleo_export_analytic_keys(self):
        """{(tag group code, tag code): analytic account id}. Tag group code =
        the plan's name, or PLAN<id> as Level 2 syncs it; tag code = the
        analytic account's code, or AA<id>."""
        analytic = {}
        for account in self.env["account.analytic.account"].search(
            [("company_id", "in", (False, self.company_id.id))]
        ):
            for plan in (account.plan_id, account.root_plan_id):
                for group in (plan.name, f"PLAN{plan.id}"):
                    for code in (account.code, f"AA{account.id}"):
                        analytic.setdefault((group, code), account.id)
        return analytic

    def _pleo_export_taxes(self):
        """The taxes a Pleo tax code can be, in the order the export reads them
        (the first of two with the same key wins): those with a Pleo code first."""
        self.ensure_one()
        Tax = self.env["account.tax"].with_context(active_test=True)
        taxes = Tax.search(
            [
                *Tax._check_company_domain(self.company_id),
                ("type_tax_use", "in", ("purchase", "none")),
            ]
        )
        return taxes.sorted(lambda t: not t.pleo_code)

    def _pleo_rate_lookup(self):
        """(currency code, day) -> Odoo's rate of that currency per unit of the
        company's, or None when Odoo has no rate on or before the day (Odoo
        itself would then take 1.0, booking a wrong company amount)."""
        company = self.company_id
        Currency = self.env["res.currency"].with_context(active_test=False)
        Rate = self.env["res.currency.rate"].sudo()
        cache = {}

        def rate_of(code, day):
            if (code, day) not in cache:
                currency = Currency.search([("name", "=", code)], limit=1)
                known = currency and Rate.search_count(
                    [
                        ("currency_id", "=", currency.id),
                        ("name", "<=", day),
                        ("company_id", "in", (False, company.root_id.id)),
                    ],
                    limit=1,
                )
                cache[code, day] = (
                    Currency._get_conversion_rate(
                        company.currency_id, currency, company, day
                    )
                    if known
                    else None
                )
            return cache[code, day]

        return rate_of

    def _pleo_export_partners(self, payloads, ctx):
        """Fill ctx.employees and ctx.vendors for a page, in a few searches.

        Employees (out-of-pocket) are matched by reference = employee code, then
        by name, and created when missing. Vendors are matched by reference =
        vendor code or external id, then by name; never created.
        """
        Partner = self.env["res.partner"].with_context(active_test=False)
        company_domain = [("company_id", "in", (False, self.company_id.id))]
        users, vendor_keys = _partner_keys(payloads)
        keys = set(users) | {u["name"] for u in users.values()} | vendor_keys
        keys -= set(ctx.employees) | set(ctx.vendors)
        if not keys:
            return
        keys = list(keys)
        found = Partner.search_fetch(
            company_domain + ["|", ("ref", "in", keys), ("name", "in", keys)],
            ["ref", "name", "property_account_payable_id"],
        )
        by_ref = {p.ref: p for p in found if p.ref}
        by_name = {p.name: p for p in found}
        # Level 4 sends Odoo's partner id as the vendor's externalId.
        ids = [int(k) for k in keys if k.isdigit()]
        by_id = (
            {
                str(p.id): p
                for p in Partner.search_fetch(
                    company_domain + [("id", "in", ids)],
                    ["ref", "name", "property_account_payable_id"],
                )
            }
            if ids
            else {}
        )
        for key in keys:
            partner = by_ref.get(key) or by_id.get(key) or by_name.get(key)
            if partner:
                ctx.employees.setdefault(key, partner.id)
                if key in vendor_keys:
                    ctx.vendors[key] = partner.id
                    ctx.vendor_payable[partner.id] = (
                        partner.property_account_payable_id.id
                    )
        missing = [
            u
            for key, u in users.items()
            if key not in ctx.employees and u["name"] not in ctx.employees
        ]
        if missing:
            self._pleo_export_create_employees(missing, ctx)

    def _pleo_export_create_employees(self, users, ctx):
        """Partners for Pleo users Odoo does not know yet (out-of-pocket)."""
        company_id = self.company_id.id
        created = self.env["res.partner"].create(
            [
                {"name": u["name"], "ref": u.get("code"), "company_id": company_id}
                for u in users
            ]
        )
        for u, partner in zip(users, created, strict=True):
            ctx.employees[u.get("code") or u["name"]] = partner.id
            ctx.employees[u["name"]] = partner.id


def _partner_keys(payloads):
    """({user key: Pleo user}, {vendor keys}) of a batch: users by employee
    code or name; vendors of bills by code, externalId and name."""
    users = {}
    vendor_keys = set()
    for payload in payloads:
        user = payload.get("user") or {}
        if user.get("name"):
            users[user.get("code") or user["name"]] = user
        if move_type_for(payload) != "entry":
            for who in (payload.get("vendor"), payload.get("supplier")):
                for key in ("code", "externalId", "name"):
                    if who and who.get(key):
                        vendor_keys.add(who[key])
    return users, vendor_keys


def _tax_info(tax):
    def reps(lines):
        return [
            (r.factor_percent, r.account_id.id or None, r.tag_ids.ids, r.id)
            for r in lines
            if r.repartition_type == "tax"
        ]

    def base_tags(lines):
        return lines.filtered(lambda r: r.repartition_type == "base").tag_ids.ids

    return TaxInfo(
        id=tax.id,
        name=tax.name,
        amount=tax.amount,
        amount_type=tax.amount_type,
        price_include=tax.price_include,
        invoice_lines=reps(tax.invoice_repartition_line_ids),
        refund_lines=reps(tax.refund_repartition_line_ids),
        invoice_base_tags=base_tags(tax.invoice_repartition_line_ids),
        refund_base_tags=base_tags(tax.refund_repartition_line_ids),
    )
