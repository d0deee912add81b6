# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The configuration check's rules, as plain functions over plain data.

Nothing here imports Odoo. The ORM layer (models/pleo_config_check*.py) reads
what Odoo and Pleo hold, and these rules say what it means, each as Findings:

- green: fine;
- amber: works, but not as one would expect (a fallback account, a missing
  webhook, a token getting old): look at it;
- red: the export or a sync fails, or books wrongly, until it is fixed.

Where the export decides something (which tax a Pleo tax code is, which account
a Pleo account is, which account a wallet books on) the rules call the export's
own mapping functions (services.export_mapping), so the check says exactly
what the export will do. Texts go through `tr`, Odoo's translation of the
addon (env._), and name their placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from .export_mapping import MappingError, resolve_account, wallet_account

GREEN, AMBER, RED = "green", "amber", "red"
SEVERITY_RANK = {GREEN: 0, AMBER: 1, RED: 2}
# Problems listed one line each, per check; the rest in one summary line.
MAX_LINES = 10
# Pleo keeps a refresh token at least 60 days; warn a fortnight before.
TOKEN_WARN_DAYS = 45
# A job created this long after the last webhook delivery means none arrived.
WEBHOOK_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Fix:
    """What a line's fix-it button opens: records of `model` (one by `res_id`,
    or a list by `domain`), a window action by xmlid, or a method of the
    connection (which checks its caller's rights itself)."""

    label: str
    model: str | None = None
    res_id: int | None = None
    domain: list | None = None
    action: str | None = None
    method: str | None = None


@dataclass
class Finding:
    code: str
    severity: str
    title: str
    detail: str = ""
    fix: Fix | None = None


@dataclass
class PleoFacts:
    """What the check read from Pleo (read calls only)."""

    read: bool = False  # False: Pleo was not read (see error)
    error_kind: str | None = None  # "setup", "refused" or "unreachable"
    error: str = ""
    tax_codes: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    contra_ids: set = field(default_factory=set)  # Pleo ids of contra accounts
    jobs: list = field(default_factory=list)  # pending and in-progress jobs
    items: list = field(default_factory=list)  # a sample of their items
    subscription: dict | None = None
    subscription_missing: bool = False
    subscription_created: object = None  # datetime, from the subscription


def pleo_account_ref(account):
    """A Pleo chart-of-accounts row as export items name it: `identifier` is
    the ERP's id (externalId), `code` the account code."""
    return {
        "identifier": account.get("externalId"),
        "code": account.get("code"),
        "name": account.get("name"),
    }


def odoo_account_of(account, accounts_map):
    """The Odoo account id the export books a Pleo account on, or None."""
    try:
        return resolve_account(
            pleo_account_ref(account), SimpleNamespace(accounts=accounts_map), ""
        )
    except MappingError:
        return None


def worst(findings):
    """The overall severity of a run: its worst line."""
    return max(
        (f.severity for f in findings), key=SEVERITY_RANK.__getitem__, default=GREEN
    )


def _percent(rate):
    try:
        return f"{float(rate) * 100:g}"
    except (TypeError, ValueError):
        return "?"


class Rules:
    """The rules of one run: `tr` translates, `connection_id` is the
    connection checked (fix-it links open it)."""

    def __init__(self, tr, connection_id):
        self._ = tr
        self.connection_id = connection_id

    # -- helpers -------------------------------------------------------------
    def connection_fix(self, label=None):
        return Fix(
            label or self._("Open the connection"),
            model="pleo.connection",
            res_id=self.connection_id,
        )

    def capped(self, code, problems):
        """At most MAX_LINES problem lines, the rest summed up in one more."""
        if len(problems) <= MAX_LINES:
            return problems
        rest = problems[MAX_LINES:]
        summary = Finding(
            code,
            worst(rest),
            self._("… and %(count)s more like these", count=len(rest)),
            "\n".join(f.title for f in rest),
            rest[0].fix,
        )
        return [*problems[:MAX_LINES], summary]

    def skipped(self, code, reason):
        return Finding(
            code,
            AMBER,
            self._("Not checked: Pleo could not be read"),
            reason,
        )

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
        problems, fine = [], []
        if not ctx.wallets and not ctx.contra_account_id:
            return [
                Finding(
                    "wallets",
                    RED,
                    self._("No wallet account and no contra account"),
                    self._(
                        "Every export job fails ('account missing') until the "
                        "connection has a wallet account (per wallet currency: "
                        "%(currencies)s) or a contra account, on its Export tab.",
                        currencies=", ".join(currencies),
                    ),
                    self.connection_fix(),
                )
            ]
        for currency in currencies:
            wallet = ctx.wallets.get(currency)
            if wallet and wallet[0]:
                fine.append(currency)
                continue
            try:
                account_id = wallet_account(samples.get(currency) or {}, ctx, currency)
            except MappingError:
                problems.append(
                    Finding(
                        "wallets",
                        RED,
                        self._("Wallet %(currency)s has no account", currency=currency),
                        self._(
                            "Its expenses fail ('wallet account missing'). Add "
                            "%(currency)s under Wallet Accounts on the connection's "
                            "Export tab.",
                            currency=currency,
                        ),
                        self.connection_fix(),
                    )
                )
                continue
            problems.append(
                Finding(
                    "wallets",
                    AMBER,
                    self._(
                        "Wallet %(currency)s has no account of its own",
                        currency=currency,
                    ),
                    self._(
                        "Its expenses are booked on the contra account %(account)s. "
                        "Add %(currency)s under Wallet Accounts on the connection's "
                        "Export tab to book them on the wallet's own account.",
                        currency=currency,
                        account=labels.get(account_id, account_id),
                    ),
                    self.connection_fix(),
                )
            )
        if problems:
            return self.capped("wallets", problems)
        return [
            Finding(
                "wallets",
                GREEN,
                self._(
                    "Each wallet currency has its account: %(currencies)s",
                    currencies=", ".join(fine) or "-",
                ),
            )
        ]

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
                problems.append(
                    Finding(
                        "currencies",
                        RED,
                        self._("Currency %(currency)s is not active", currency=code),
                        self._(
                            "Pleo sends amounts in %(currency)s; the export fails "
                            "them until the currency is active in Odoo.",
                            currency=code,
                        ),
                        fix,
                    )
                )
            elif code in rates and not rates[code][1]:
                problems.append(
                    Finding(
                        "currencies",
                        RED,
                        self._(
                            "No %(currency)s rate on or before %(day)s",
                            currency=code,
                            day=rates[code][0],
                        ),
                        self._(
                            "Expenses from the %(currency)s wallet are converted at "
                            "Odoo's rate of their accounting date and fail without "
                            "one. Add the %(currency)s rate of %(day)s or earlier.",
                            currency=code,
                            day=rates[code][0],
                        ),
                        fix,
                    )
                )
        if problems:
            return self.capped("currencies", problems)
        return [
            Finding(
                "currencies",
                GREEN,
                self._(
                    "Currencies in use are active, with the rates they need: "
                    "%(currencies)s",
                    currencies=", ".join(sorted(needed)) or "-",
                ),
            )
        ]

    # -- periods and journals ------------------------------------------------
    def lock_date(self, closed, policy, sampled):
        """Pending expenses whose accounting date Odoo's lock dates close.
        `closed` are (day, lock dates text), `policy` the connection's
        closed-period rule, `sampled` how many pending expenses were read."""
        if not closed:
            return [
                Finding(
                    "lock_date",
                    GREEN,
                    self._("No pending expense is dated in a closed period"),
                    self._(
                        "%(count)s pending expense(s) read from Pleo.", count=sampled
                    ),
                )
            ]
        day, locks = min(closed)
        if policy == "fail":
            return [
                Finding(
                    "lock_date",
                    RED,
                    self._(
                        "%(count)s pending expense(s) are dated in a closed period",
                        count=len(closed),
                    ),
                    self._(
                        "They will fail: the oldest is of %(day)s, closed by "
                        "%(locks)s. Reopen the period, or choose 'Book on the first "
                        "open date' as Closed Period on the connection's Export tab.",
                        day=day,
                        locks=locks,
                    ),
                    self.connection_fix(),
                )
            ]
        return [
            Finding(
                "lock_date",
                AMBER,
                self._(
                    "%(count)s pending expense(s) are dated in a closed period",
                    count=len(closed),
                ),
                self._(
                    "They will be booked on the first open date, not on their own "
                    "(the oldest is of %(day)s, closed by %(locks)s). If they belong "
                    "to the closed period, move the lock date before the export "
                    "runs.",
                    day=day,
                    locks=locks,
                ),
                Fix(
                    self._("Open the accounting settings"),
                    action="account.action_account_config",
                ),
            )
        ]

    def journals(self, journal, purchase_journal, wallet_journals, vendor_based):
        """The journals the export books in: `journal` and `purchase_journal`
        are (name, active) or None, `wallet_journals` (currency, name,
        active); `vendor_based`: a pending job books vendor bills."""
        problems = []
        if not journal:
            problems.append(
                Finding(
                    "journals",
                    RED,
                    self._("No Pleo journal"),
                    self._(
                        "Every export job fails ('journal missing') until the "
                        "connection has its Pleo journal (Export tab)."
                    ),
                    self.connection_fix(),
                )
            )
        if not purchase_journal:
            problems.append(
                Finding(
                    "journals",
                    RED if vendor_based else AMBER,
                    self._("No vendor bills journal"),
                    self._(
                        "Export jobs of Pleo's accounts payable bookkeeping fail "
                        "until the connection has a purchase journal (Export tab)."
                    ),
                    self.connection_fix(),
                )
            )
        archived = [
            name
            for name, active in (
                journal or (None, True),
                purchase_journal or (None, True),
            )
            if not active
        ]
        archived += [name for _currency, name, active in wallet_journals if not active]
        problems += [
            Finding(
                "journals",
                RED,
                self._("Journal %(journal)s is archived", journal=name),
                self._(
                    "The export books in it: restore it, or choose another journal "
                    "on the connection's Export tab."
                ),
                self.connection_fix(),
            )
            for name in archived
        ]
        if problems:
            return problems
        names = [journal[0], purchase_journal[0], *(n for _c, n, _a in wallet_journals)]
        return [
            Finding(
                "journals",
                GREEN,
                self._(
                    "The export's journals are set: %(journals)s",
                    journals=", ".join(dict.fromkeys(names)),
                ),
            )
        ]

    def pending_jobs(self, problems, count):
        """Pending export jobs (`count` read) that the export's own pre-export
        check would fail: (job id, reason) pairs."""
        if not problems:
            if not count:
                return []
            return [
                Finding(
                    "pending_jobs",
                    GREEN,
                    self._(
                        "The %(count)s pending export job(s) pass the pre-export check",
                        count=count,
                    ),
                )
            ]
        return self.capped(
            "pending_jobs",
            [
                Finding(
                    "pending_jobs",
                    RED,
                    self._("Pending export job %(job)s would fail", job=job),
                    reason,
                    self.connection_fix(),
                )
                for job, reason in problems
            ],
        )

    # -- what runs it --------------------------------------------------------
    def crons(self, crons):
        """The scheduled actions the level needs: (name, id or None, active)."""
        problems = []
        for name, cron_id, active in crons:
            if cron_id is None:
                problems.append(
                    Finding(
                        "crons",
                        RED,
                        self._("Scheduled action %(name)s is missing", name=name),
                        self._(
                            "Nothing happens on schedule. Update the Pleo Connector "
                            "module to restore it."
                        ),
                    )
                )
            elif not active:
                problems.append(
                    Finding(
                        "crons",
                        RED,
                        self._("Scheduled action %(name)s is inactive", name=name),
                        self._(
                            "Nothing happens on schedule until an administrator "
                            "activates it (Settings > Technical > Scheduled Actions)."
                        ),
                        Fix(
                            self._("Open the scheduled action"),
                            model="ir.cron",
                            res_id=cron_id,
                        ),
                    )
                )
        if problems:
            return problems
        return [
            Finding(
                "crons",
                GREEN,
                self._(
                    "The scheduled actions are active: %(names)s",
                    names=", ".join(name for name, _i, _a in crons),
                ),
            )
        ]

    def first_sync(self, level, adopted):
        """Levels 2-4: the scheduled syncs wait for the first sync's preview."""
        if int(level) < 2:
            return []
        if adopted:
            return [Finding("first_sync", GREEN, self._("The first sync is confirmed"))]
        return [
            Finding(
                "first_sync",
                AMBER,
                self._("The first sync waits for its preview"),
                self._(
                    "No master data goes to Pleo until a Pleo manager has seen and "
                    "confirmed what the first sync will do."
                ),
                Fix(
                    self._("Preview the first sync"), method="action_pleo_sync_preview"
                ),
            )
        ]

    def webhooks(
        self, registered, facts, expected_url, expected_events, last, newest_job
    ):
        """The webhook subscription as Pleo has it, and whether deliveries
        arrive: `last` is the last delivery received, `newest_job` when the
        newest export job Odoo imported was created in Pleo (datetimes)."""
        fix = Fix(self._("Register webhooks"), method="action_pleo_register_webhooks")
        sub = facts.subscription or {}
        if not registered:
            return [
                Finding(
                    "webhooks",
                    AMBER,
                    self._("Webhooks are not registered"),
                    self._(
                        "New export jobs wait for the scheduled action instead of "
                        "arriving at once, and vendors created in Pleo (level 4) do "
                        "not come to Odoo. Register them where Pleo can reach this "
                        "Odoo over HTTPS."
                    ),
                    fix,
                )
            ]
        if facts.subscription_missing:
            return [
                Finding(
                    "webhooks",
                    RED,
                    self._("Pleo no longer has the webhook subscription"),
                    self._(
                        "Pleo sends nothing to this Odoo: register the webhooks again."
                    ),
                    fix,
                )
            ]
        if not facts.read:
            return []
        if sub.get("status") not in (None, "ACTIVE"):
            return [
                Finding(
                    "webhooks",
                    RED,
                    self._(
                        "Pleo's webhook subscription is %(status)s",
                        status=sub["status"],
                    ),
                    self._(
                        "Pleo sends nothing to this Odoo: register the webhooks again."
                    ),
                    fix,
                )
            ]
        if sub.get("endpointUrl") != expected_url:
            return [
                Finding(
                    "webhooks",
                    RED,
                    self._("Pleo delivers webhooks to another address"),
                    self._(
                        "The subscription does not point to this Odoo's webhook "
                        "address (its URL or database changed): register the "
                        "webhooks again."
                    ),
                    fix,
                )
            ]
        missing = [e for e in expected_events if e not in (sub.get("eventTypes") or [])]
        if missing:
            return [
                Finding(
                    "webhooks",
                    AMBER,
                    self._(
                        "The webhook subscription lacks %(events)s",
                        events=", ".join(missing),
                    ),
                    self._("Register the webhooks again to add them."),
                    fix,
                )
            ]
        since = last or facts.subscription_created
        if newest_job and since and newest_job > since + WEBHOOK_GRACE:
            return [
                Finding(
                    "webhooks",
                    AMBER,
                    self._("No webhook delivery since %(when)s", when=since),
                    self._(
                        "Export jobs created in Pleo after that arrived by polling "
                        "only. Check that Pleo reaches this Odoo over HTTPS (and, "
                        "with several databases, the dbfilter)."
                    ),
                    fix,
                )
            ]
        return [
            Finding(
                "webhooks",
                GREEN,
                self._("Webhooks are registered and active"),
                self._("Last delivery: %(when)s", when=last or "-"),
            )
        ]

    def authorisation(self, state, auth_method, revoked, facts, rotated_at, now):
        """Whether Pleo accepts the connection's credential, and how old an
        OAuth refresh token is (`rotated_at`: when it was last renewed)."""
        code = "authorisation"
        if state == "draft":
            return [
                Finding(
                    code,
                    RED,
                    self._("Not connected to Pleo"),
                    self._(
                        "Nothing is exported or synchronised: set the connection up."
                    ),
                    Fix(self._("Set up"), method="action_pleo_open_setup"),
                )
            ]
        if state == "reauth" or revoked:
            return [
                Finding(
                    code,
                    RED,
                    self._("Pleo refused the authorisation"),
                    self._(
                        "%(reason)s An administrator uses Connect to Pleo to "
                        "authorise again.",
                        reason=revoked or "",
                    ).strip(),
                    self.connection_fix(),
                )
            ]
        if facts.error_kind:
            titles = {
                "refused": self._("Pleo refused the API key")
                if auth_method == "api_key"
                else self._("Pleo refused the access token"),
                "unreachable": self._("Pleo could not be reached"),
                "setup": self._("The connection cannot call Pleo"),
            }
            return [
                Finding(
                    code,
                    RED,
                    titles.get(facts.error_kind, titles["unreachable"]),
                    facts.error,
                    self.connection_fix(),
                )
            ]
        if auth_method == "api_key":
            return [
                Finding(
                    code,
                    GREEN,
                    self._("Pleo accepts the API key"),
                    self._("API keys do not expire; Pleo rotates them only by hand."),
                )
            ]
        if rotated_at and now - rotated_at > timedelta(days=TOKEN_WARN_DAYS):
            return [
                Finding(
                    code,
                    AMBER,
                    self._(
                        "The refresh token is %(days)s days old",
                        days=(now - rotated_at).days,
                    ),
                    self._(
                        "Pleo keeps a refresh token at least 60 days and renews it "
                        "at each use; this one was last renewed on %(when)s. Test "
                        "the connection (or Sync now) to renew it before it expires.",
                        when=rotated_at,
                    ),
                    Fix(
                        self._("Test connection"), method="action_pleo_test_connection"
                    ),
                )
            ]
        return [
            Finding(
                code,
                GREEN,
                self._("Pleo accepts the authorisation"),
                self._(
                    "Refresh token last renewed on %(when)s.", when=rotated_at or "-"
                ),
            )
        ]
