# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The configuration check's rules, as plain functions over plain data: the
mapping rules (config_rules_mapping) and those of what runs the export and the
syncs (config_rules_running), over the data of config_check."""

from .config_check import (
    AMBER,
    GREEN,
    MAX_LINES,
    RED,
    SEVERITY_RANK,
    Finding,
    Fix,
    PleoFacts,
    odoo_account_of,
    pleo_account_ref,
    worst,
)
from .config_rules_mapping import MappingRules
from .config_rules_running import TOKEN_WARN_DAYS, WEBHOOK_GRACE, RunningRules

__all__ = [
    "AMBER",
    "GREEN",
    "MAX_LINES",
    "RED",
    "SEVERITY_RANK",
    "TOKEN_WARN_DAYS",
    "WEBHOOK_GRACE",
    "Finding",
    "Fix",
    "PleoFacts",
    "Rules",
    "odoo_account_of",
    "pleo_account_ref",
    "worst",
]


class Rules(MappingRules, RunningRules):
    """Every rule of the configuration check, for one run."""
