# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The configuration check's rules about mapping: what the export books Pleo's
tax codes, accounts, contra accounts, wallets and currencies on.

Where the export decides something (which tax a Pleo tax code is, which account
a Pleo account is, which account a wallet books on) these rules use the
export's own mapping (services.export_mapping and the map the ORM layer built
for it), so the check says exactly what the export will do.
"""

from __future__ import annotations

from .config_check import (
    AMBER,
    GREEN,
    RED,
    Finding,
    Fix,
    RulesBase,
    odoo_account_of,
    pleo_account_ref,
)
from .export_mapping import MappingError, wallet_account


def _percent(rate):
    try:
        return f"{float(rate) * 100:g}"
    except (TypeError, ValueError):
        return "?"


class MappingRules(RulesBase):
    """Rules of what the export books Pleo's master data and wallets on."""

    # -- Pleo's tax codes and Odoo's taxes -----------------------------------
    def tax_codes(self, pleo_codes, taxes):
        """Active Pleo tax codes the export finds no Odoo tax for (`taxes` is
        the export's map: Pleo code -> tax)."""
        active = [t for t in pleo_codes if not t.get("archived")]
        fix = Fix(
            self._("Open the purchase taxes"),
            model="account.tax",
            domain=[("type_tax_use", "in", ["purchase", "none"])],
        )
        problems = [
            Finding(
                "tax_codes",
                RED,
                self._(
                    "Pleo tax code %(code)s has no Odoo tax",
                    code=t.get("code") or t.get("name") or t.get("id"),
                ),
                self._(
                    "Expenses with %(name)s (%(rate)s%%) fail as 'tax code "
                    "unknown'. Enter %(code)s as the Pleo Tax Code of the "
                    "matching purchase tax.",
                    name=t.get("name") or "-",
                    rate=_percent(t.get("rate")),
                    code=t.get("code") or "-",
                ),
                fix,
            )
            for t in active
            if not t.get("code") or t["code"] not in taxes
        ]
        if problems:
            return self.capped("tax_codes", problems)
        return [
            Finding(
                "tax_codes",
                GREEN,
                self._(
                    "Each of Pleo's %(count)s tax codes has its Odoo tax",
                    count=len(active),
                ),
            )
        ]

    def tax_names(self, taxes, pleo_keys):
        """Odoo taxes the export cannot tell apart: the same Pleo Tax Code, or
        (without one) the same name. `taxes` are (id, name, pleo code) in the
        export's order; `pleo_keys` the codes Pleo uses."""
        groups = {}
        for tax_id, name, code in taxes:
            key = ("code", code) if code else ("name", name)
            groups.setdefault(key, []).append((tax_id, name))
        problems = []
        for (kind, key), group in groups.items():
            if len(group) < 2:
                continue
            used = key in pleo_keys
            title = (
                self._(
                    "%(count)s Odoo taxes have the Pleo Tax Code %(key)s",
                    count=len(group),
                    key=key,
                )
                if kind == "code"
                else self._(
                    "%(count)s Odoo taxes are named %(key)s", count=len(group), key=key
                )
            )
            detail = self._(
                "The export books %(key)s on the first of them (%(first)s, id "
                "%(id)s) and never on the others. Give each tax its own Pleo "
                "Tax Code.",
                key=key,
                first=group[0][1],
                id=group[0][0],
            )
            if used:
                detail += " " + self._("Pleo uses this tax code.")
            problems.append(
                Finding(
                    "tax_names",
                    RED if used else AMBER,
                    title,
                    detail,
                    Fix(
                        self._("Open these taxes"),
                        model="account.tax",
                        domain=[("id", "in", [tax_id for tax_id, _n in group])],
                    ),
                )
            )
        if problems:
            return self.capped("tax_names", problems)
        return [
            Finding(
                "tax_names",
                GREEN,
                self._("No two purchase taxes answer to the same Pleo tax code"),
            )
        ]

    # -- accounts ------------------------------------------------------------
    def accounts(self, pleo_accounts, accounts_map, closed, labels, own=()):
        """Pleo's (active) accounts the export cannot book on: unknown to Odoo,
        or closed there (deprecated or archived); and the connection's own
        accounts that are closed.

        `accounts_map` is the export's map (code or id -> account id);
        `closed` maps the code and id of every closed Odoo account to its id;
        `labels` account id -> "code name"; `own` (role, account id) pairs."""
        closed_ids = set(closed.values())
        problems = []
        active = [a for a in pleo_accounts if not a.get("archived")]
        for account in active:
            ref = pleo_account_ref(account)
            label = " ".join(
                str(part)
                for part in (ref["code"] or ref["identifier"], ref["name"])
                if part
            )
            account_id = odoo_account_of(account, accounts_map)
            if account_id is None:
                keys = [str(k) for k in (ref["identifier"], ref["code"]) if k]
                account_id = next((closed[k] for k in keys if k in closed), None)
            if account_id is None:
                problems.append(self._account_missing(label))
            elif account_id in closed_ids:
                problems.append(self._account_closed(label, account_id))
        for role, account_id in own:
            if account_id in closed_ids:
                problems.append(
                    Finding(
                        "accounts",
                        RED,
                        self._(
                            "%(role)s %(account)s is closed in Odoo",
                            role=role,
                            account=labels.get(account_id, account_id),
                        ),
                        self._(
                            "Entries cannot be booked on a deprecated or archived "
                            "account: choose another one on the connection's "
                            "Export tab."
                        ),
                        self.connection_fix(),
                    )
                )
        if problems:
            return self.capped("accounts", problems)
        return [
            Finding(
                "accounts",
                GREEN,
                self._(
                    "The %(count)s accounts Pleo uses exist in Odoo and are open",
                    count=len(active),
                ),
            )
        ]

    def _account_missing(self, label):
        return Finding(
            "accounts",
            RED,
            self._("Pleo account %(account)s does not exist in Odoo", account=label),
            self._(
                "Expenses on it fail as 'account unknown'. Create it in Odoo with "
                "this code, or archive it in Pleo."
            ),
            Fix(
                self._("Open the chart of accounts"),
                action="account.action_account_form",
            ),
        )

    def _account_closed(self, label, account_id):
        return Finding(
            "accounts",
            RED,
            self._("Pleo account %(account)s is closed in Odoo", account=label),
            self._(
                "It is deprecated or archived in Odoo, so expenses on it cannot be "
                "booked. Open it again in Odoo, or archive it in Pleo and move its "
                "categories to another account."
            ),
            Fix(self._("Open the account"), model="account.account", res_id=account_id),
        )

    def contra(self, contras, liquidity, labels):
        """Contra accounts that are the own account of a bank journal.
        `contras` are (origin, account id): origin "pleo" for Pleo's contra
        accounts, "connection" for the connection's; `liquidity` maps an
        account id to its journal (id, name)."""
        problems = []
        for origin, account_id in contras:
            journal = liquidity.get(account_id)
            if not journal:
                continue
            account = labels.get(account_id, account_id)
            if origin == "pleo":
                title = self._(
                    "Pleo's contra account %(account)s is the account of journal "
                    "%(journal)s",
                    account=account,
                    journal=journal[1],
                )
                how = self._(
                    "In Pleo's accounting settings, choose an internal transfer "
                    "account as contra account instead."
                )
                fix = Fix(
                    self._("Open the journal"),
                    model="account.journal",
                    res_id=journal[0],
                )
            else:
                title = self._(
                    "The connection's contra account %(account)s is the account of "
                    "journal %(journal)s",
                    account=account,
                    journal=journal[1],
                )
                how = self._(
                    "Choose an internal transfer account as contra account on the "
                    "connection's Export tab."
                )
                fix = self.connection_fix()
            detail = self._(
                "Wallet top-ups and unloads booked there can never be matched with "
                "the journal's bank statement lines, and its balance counts them "
                "twice."
            )
            problems.append(Finding("contra", RED, title, f"{detail} {how}", fix))
        if problems:
            return self.capped("contra", problems)
        return [
            Finding(
                "contra",
                GREEN,
                self._("No contra account is the own account of a bank journal"),
            )
        ]

    # -- wallets and currencies ----------------------------------------------
    def wallets(self, currencies, samples, ctx, labels):
        """The account each wallet currency books on, as the export decides it:
        the wallet account, else Pleo's contra account of the expense, else the
        connection's contra account (`samples`: an expense of each wallet)."""
        if not ctx.wallets and not ctx.contra_account_id:
            return [self._no_wallet_account(currencies)]
        problems, fine = [], []
        for currency in currencies:
            wallet = ctx.wallets.get(currency)
            if wallet and wallet[0]:
                fine.append(currency)
                continue
            try:
                account_id = wallet_account(samples.get(currency) or {}, ctx, currency)
            except MappingError:
                problems.append(self._wallet_without_account(currency))
            else:
                label = labels.get(account_id, account_id)
                problems.append(self._wallet_on_contra(currency, label))
        if problems:
            return self.capped("wallets", problems)
        title = self._(
            "Each wallet currency has its account: %(currencies)s",
            currencies=", ".join(fine) or "-",
        )
        return [Finding("wallets", GREEN, title)]

    def _no_wallet_account(self, currencies):
        detail = self._(
            "Every export job fails ('account missing') until the connection has a "
            "wallet account (per wallet currency: %(currencies)s) or a contra "
            "account, on its Export tab.",
            currencies=", ".join(currencies),
        )
        title = self._("No wallet account and no contra account")
        return Finding("wallets", RED, title, detail, self.connection_fix())

    def _wallet_without_account(self, currency):
        detail = self._(
            "Its expenses fail ('wallet account missing'). Add %(currency)s under "
            "Wallet Accounts on the connection's Export tab.",
            currency=currency,
        )
        title = self._("Wallet %(currency)s has no account", currency=currency)
        return Finding("wallets", RED, title, detail, self.connection_fix())

    def _wallet_on_contra(self, currency, account):
        detail = self._(
            "Its expenses are booked on the contra account %(account)s. Add "
            "%(currency)s under Wallet Accounts on the connection's Export tab to "
            "book them on the wallet's own account.",
            currency=currency,
            account=account,
        )
        title = self._(
            "Wallet %(currency)s has no account of its own", currency=currency
        )
        return Finding("wallets", AMBER, title, detail, self.connection_fix())

    def currencies(self, needed, active, currency_ids, rates):
        """Currencies Pleo's amounts come in that Odoo cannot use: inactive, or
        (a wallet in another currency than the company's) without a rate on or
        before the oldest pending expense. `needed` are ISO codes, `active` the
        active ones, `rates` code -> (day, has a rate)."""
        problems = []
        for code in sorted(needed):
            fix = (
                Fix(
                    self._("Open the currency"),
                    model="res.currency",
                    res_id=currency_ids[code],
                )
                if code in currency_ids
                else Fix(
                    self._("Open the currencies"), action="base.action_currency_form"
                )
            )
            if code not in active:
                detail = self._(
                    "Pleo sends amounts in %(currency)s; the export fails them "
                    "until the currency is active in Odoo.",
                    currency=code,
                )
                title = self._("Currency %(currency)s is not active", currency=code)
                problems.append(Finding("currencies", RED, title, detail, fix))
            elif code in rates and not rates[code][1]:
                problems.append(self._no_rate(code, rates[code][0], fix))
        if problems:
            return self.capped("currencies", problems)
        title = self._(
            "Currencies in use are active, with the rates they need: %(currencies)s",
            currencies=", ".join(sorted(needed)) or "-",
        )
        return [Finding("currencies", GREEN, title)]

    def _no_rate(self, code, day, fix):
        detail = self._(
            "Expenses from the %(currency)s wallet are converted at Odoo's rate of "
            "their accounting date and fail without one. Add the %(currency)s rate "
            "of %(day)s or earlier.",
            currency=code,
            day=day,
        )
        title = self._(
            "No %(currency)s rate on or before %(day)s", currency=code, day=day
        )
        return Finding("currencies", RED, title, detail, fix)
