# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who may do what: one check every public entry point makes before it acts.

Odoo's record cache is shared by sudo and non-sudo reads, so a sudo read made
before the check would let the later unprivileged reads skip theirs. Entry
points therefore check first (group, model access, record rules) and only then
read what they need through sudo().
"""

import functools

from odoo.exceptions import AccessError

# Reads the queue and the logs.
PLEO_USER = "pleo_connector.group_pleo_user"
# Changes anything in Pleo or in the connector's configuration.
PLEO_MANAGER = "pleo_connector.group_pleo_manager"
# Sees secrets and decides where the connection points.
SYSTEM = "base.group_system"


def _refusal(env, group, model):
    if group == SYSTEM:
        return env._("Only administrators may do this (%s).", model)
    if group == PLEO_MANAGER:
        return env._(
            "Only Pleo managers (accounting administrators) may do this (%s).", model
        )
    return env._("Only Pleo users (accountants) may do this (%s).", model)


def check_pleo_access(records, group, operation="read"):
    """Raise AccessError unless the caller is in `group` and may `operation`
    every record of `records` (model access rights and record rules).

    The superuser passes: Odoo's own sudo() paths (cron jobs, the signed webhook
    route) are the narrow, already-checked ones.
    """
    env = records.env
    if not env.su and not env.user.has_group(group):
        raise AccessError(_refusal(env, group, records._description))
    records.check_access(operation)


def pleo_requires(group, operation="read"):
    """Decorate a public method: the check runs before its body.

    The wrapper carries `pleo_access`, which the access-matrix test reads to
    find public methods that nobody decided about.
    """

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            check_pleo_access(self, group, operation)
            return method(self, *args, **kwargs)

        wrapper.pleo_access = (group, operation)
        return wrapper

    return decorator
