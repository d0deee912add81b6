# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the configuration check's rules work on and give back, plain data only.

Nothing under services/config_* imports Odoo. The ORM layer
(models/pleo_config_check*.py) reads what Odoo and Pleo hold, and the rules
(services.config_rules) say what it means, each as Findings:

- green: fine;
- amber: works, but not as one would expect (a fallback account, a missing
  webhook, a token getting old): look at it;
- red: the export or a sync fails, or books wrongly, until it is fixed.

Texts go through `tr`, Odoo's translation of the addon (env._), and name their
placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from .export_mapping import MappingError, resolve_account

GREEN, AMBER, RED = "green", "amber", "red"
SEVERITY_RANK = {GREEN: 0, AMBER: 1, RED: 2}
# Problems listed one line each, per check; the rest in one summary line.
MAX_LINES = 10


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


class RulesBase:
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
