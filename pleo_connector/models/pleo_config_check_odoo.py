# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the configuration check reads from Odoo, and which rule judges it.

The export's own lookups are reused: its mapping context (accounts, taxes,
wallets, rates: pleo_connection_export_mapping.py), its accounting date and
journal choice, and its pre-export check of a job
(``_pleo_export_validate``). Reads the accountant may not do themselves
(scheduled actions, tokens, webhook deliveries) go through sudo(), after
``_pleo_run`` checked their access to the connection.
"""

from odoo import fields, models

from .. import compat
from ..services.config_rules import odoo_account_of
from ..services.export_mapping import move_type_for
from .pleo_connection_webhooks import EXPORT_JOB_CREATED, VENDOR_CREATED

# (level from which it is needed, xmlid) of the addon's scheduled actions.
CRONS = [
    ("1", "pleo_connector.ir_cron_pleo_export"),
    ("2", "pleo_connector.ir_cron_pleo_sync_tags"),
    ("3", "pleo_connector.ir_cron_pleo_sync_accounts"),
    ("4", "pleo_connector.ir_cron_pleo_sync_vendors"),
]
# The connection's own accounts, which must stay open.
OWN_ACCOUNT_FIELDS = (
    "export_contra_account_id",
    "export_out_of_pocket_account_id",
    "export_expense_account_id",
    "export_payable_account_id",
)
# Codes of the checks that need what Pleo holds.
PLEO_CHECKS = ("tax_codes", "accounts", "lock_date")


def _wallet_currency(item):
    return ((item.get("amount") or {}).get("inWalletCurrency") or {}).get("currency")


class PleoConfigCheck(models.TransientModel):
    _inherit = "pleo.config.check"  # pylint: disable=consider-merging-classes-inherited

    def _pleo_findings(self, connection, level, rules, facts):
        """Every finding of one run, in the order of the checks."""
        ctx = connection._pleo_export_context()
        closed, labels = self._pleo_closed_accounts(connection)
        findings = self._pleo_check_authorisation(connection, rules, facts)
        if facts.read:
            findings += rules.tax_codes(facts.tax_codes, ctx.taxes)
        pleo_codes = {t.get("code") for t in facts.tax_codes if not t.get("archived")}
        taxes = [(t.id, t.name, t.pleo_code) for t in connection._pleo_export_taxes()]
        findings += rules.tax_names(taxes, pleo_codes)
        own = [
            (connection._fields[name].get_description(self.env)["string"], acc.id)
            for name in OWN_ACCOUNT_FIELDS
            if (acc := connection[name])
        ]
        own += [
            (wallet.currency_id.name, wallet.account_id.id)
            for wallet in connection.export_wallet_ids
        ]
        found = rules.accounts(facts.accounts, ctx.accounts, closed, labels, own)
        # Unread, Pleo's accounts are "not checked"; the connection's still are.
        findings += found if facts.read else [f for f in found if f.severity != "green"]
        findings += self._pleo_check_contra(connection, rules, facts, ctx, labels)
        findings += self._pleo_check_wallets(connection, rules, facts, ctx, labels)
        if facts.read:
            findings += self._pleo_check_lock_date(connection, rules, facts, ctx)
        else:
            reason = facts.error or self.env._("The connection is not connected.")
            findings += [rules.skipped(code, reason) for code in PLEO_CHECKS]
        findings += self._pleo_check_journals(connection, rules, facts)
        findings += rules.crons(self._pleo_crons(level))
        findings += rules.first_sync(level, connection.pleo_sync_adopted)
        findings += self._pleo_check_webhooks(connection, level, rules, facts)
        return findings

    # ------------------------------------------------------------------
    # Accounts
    # ------------------------------------------------------------------
    def _pleo_closed_accounts(self, connection):
        """({code or id: account id} of the company's closed accounts
        (deprecated in 18.0, archived in 19.0), {account id: "code name"})."""
        company = connection.company_id
        Account = (
            self.env["account.account"]
            .with_company(company)
            .with_context(active_test=False)
        )
        closed_field, closed_value = compat.account_closed_flag(Account)
        accounts = Account.search_fetch(
            Account._check_company_domain(company), ["code", "name", closed_field]
        )
        labels = {a.id: f"{a.code} {a.name}" for a in accounts}
        closed = {}
        for account in accounts.filtered(lambda a: a[closed_field] == closed_value):
            closed[str(account.id)] = account.id
            if account.code:
                closed[account.code] = account.id
        for binding in connection._pleo_bindings("account"):
            if binding.external_key and binding.res_id in closed.values():
                closed.setdefault(binding.external_key, binding.res_id)
        return closed, labels

    def _pleo_check_contra(self, connection, rules, facts, ctx, labels):
        contras = [
            ("pleo", account_id)
            for account in facts.accounts
            if account.get("id") in facts.contra_ids and not account.get("archived")
            if (account_id := odoo_account_of(account, ctx.accounts))
        ]
        if connection.export_contra_account_id:
            contras.append(("connection", connection.export_contra_account_id.id))
        Journal = self.env["account.journal"].with_context(active_test=False)
        journals = Journal.search(
            [
                *Journal._check_company_domain(connection.company_id),
                ("type", "=", "bank"),
                ("default_account_id", "!=", False),
            ]
        )
        liquidity = {j.default_account_id.id: (j.id, j.name) for j in journals}
        return rules.contra(contras, liquidity, labels)

    # ------------------------------------------------------------------
    # Wallets, currencies, periods
    # ------------------------------------------------------------------
    def _pleo_check_wallets(self, connection, rules, facts, ctx, labels):
        samples = {}
        for item in facts.items:
            samples.setdefault(_wallet_currency(item), item)
        samples.pop(None, None)
        wallets = list(dict.fromkeys([ctx.company_currency, *sorted(ctx.wallets)]))
        wallets += sorted(set(samples) - set(wallets))
        findings = rules.wallets(wallets, samples, ctx, labels)
        return findings + self._pleo_check_currencies(
            connection, rules, facts, ctx, wallets
        )

    def _pleo_check_currencies(self, connection, rules, facts, ctx, wallets):
        """Currencies of the wallets and of pending purchases; the rate each
        foreign wallet needs on its oldest pending expense's accounting date."""
        needed = set(wallets)
        for item in facts.items:
            amount = (item.get("amount") or {}).get("inSupplierCurrency") or {}
            if amount.get("currency"):
                needed.add(amount["currency"])
        today = fields.Date.context_today(self)
        oldest = {}
        for item in facts.items:
            day = connection._pleo_export_local_date(item.get("date"))
            currency = _wallet_currency(item)
            oldest[currency] = min(oldest.get(currency, day), day)
        rates = {
            code: (
                oldest.get(code, today),
                bool(ctx.rate_of(code, oldest.get(code, today))),
            )
            for code in wallets
            if code != ctx.company_currency and code in ctx.currency_digits
        }
        Currency = self.env["res.currency"].with_context(active_test=False)
        currency_ids = {
            c.name: c.id for c in Currency.search([("name", "in", sorted(needed))])
        }
        return rules.currencies(needed, set(ctx.currency_digits), currency_ids, rates)

    def _pleo_check_lock_date(self, connection, rules, facts, ctx):
        """Pending expenses whose accounting date (the export's) a lock date
        closes, in the journal the export books them in."""
        company = connection.company_id.with_context(ignore_exceptions=True)
        Journal = self.env["account.journal"]
        closed = []
        for item in facts.items:
            day = connection._pleo_export_local_date(item.get("date"))
            if move_type_for(item) != "entry":
                journal_id = ctx.purchase_journal_id
            else:
                wallet = ctx.wallets.get(_wallet_currency(item)) or (None, None)
                journal_id = wallet[1] or ctx.journal_id
            has_tax = any(
                line.get("tax") for line in item.get("accountingEntryLines") or []
            )
            locks = company._get_violated_lock_dates(
                day, has_tax, Journal.browse(journal_id)
            )
            if locks:
                closed.append((day, self.env["res.company"]._format_lock_dates(locks)))
        return rules.lock_date(
            closed, connection.export_closed_period, len(facts.items)
        )

    # ------------------------------------------------------------------
    # Journals, scheduled actions, webhooks, authorisation
    # ------------------------------------------------------------------
    def _pleo_check_journals(self, connection, rules, facts):
        def state(journal):
            return (journal.display_name, journal.active) if journal else None

        wallets = [
            (w.currency_id.name, w.journal_id.display_name, w.journal_id.active)
            for w in connection.export_wallet_ids
            if w.journal_id
        ]
        vendor_based = any(j.get("vendorBasedBookkeeping") for j in facts.jobs)
        findings = rules.journals(
            state(connection.export_journal_id),
            state(connection.export_purchase_journal_id),
            wallets,
            vendor_based,
        )
        problems = [
            (job.get("id"), problem[1])
            for job in facts.jobs
            if (problem := connection._pleo_export_validate(job))
        ]
        return findings + rules.pending_jobs(problems, len(facts.jobs))

    def _pleo_crons(self, level):
        """(name, id or None, active) of the scheduled actions `level` needs."""
        crons = []
        for needed, xmlid in CRONS:
            if int(level) < int(needed):
                continue
            cron = self.sudo().env.ref(xmlid, raise_if_not_found=False)
            if cron:
                crons.append((cron.name, cron.id, cron.active))
            else:
                crons.append((xmlid.split(".")[-1], None, False))
        return crons

    def _pleo_check_webhooks(self, connection, level, rules, facts):
        events = [EXPORT_JOB_CREATED] + ([VENDOR_CREATED] if int(level) >= 4 else [])
        last = (
            self.env["pleo.webhook.event"]
            .sudo()
            .search([("connection_id", "=", connection.id)], limit=1, order="id desc")
        )
        newest = self.env["pleo.export.job"].search(
            [("connection_id", "=", connection.id), ("pleo_created_at", "!=", False)],
            limit=1,
            order="pleo_created_at desc",
        )
        expected_url = (
            connection._pleo_webhook_url() if connection.webhook_subscription_id else ""
        )
        return rules.webhooks(
            bool(connection.webhook_subscription_id),
            facts,
            expected_url,
            events,
            last.create_date or None,
            newest.pleo_created_at or None,
        )

    def _pleo_check_authorisation(self, connection, rules, facts):
        token = (
            self.env["pleo.connection.token"]
            .sudo()
            .search([("connection_id", "=", connection.id)], limit=1)
        )
        return rules.authorisation(
            connection.state,
            connection.auth_method,
            token.revoked_reason or "",
            facts,
            token.write_date if token.refresh_token else None,
            fields.Datetime.now(),
        )
