# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Install hooks."""

from . import compat


def post_init_hook(env):
    """File the Pleo groups under their category in the user form (the XML
    cannot: the field that does it differs between the series)."""
    groups = env.ref("pleo_connector.group_pleo_user") | env.ref(
        "pleo_connector.group_pleo_manager"
    )
    compat.set_groups_category(
        env, groups, env.ref("pleo_connector.module_category_pleo")
    )
