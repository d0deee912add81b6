# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every place where Odoo 18.0 and 19.0 differ for this addon, named once.

Each seam is a feature check (does this Odoo have X?), not a version number, and
says which series needs which side. Business code calls these and never asks
which series it runs on.
"""

from odoo import models

# 19.0 declares SQL constraints as `models.Constraint` class attributes and
# ignores `_sql_constraints` (with a warning, creating nothing); 18.0 has only
# `_sql_constraints`. Both name the database constraint "<table>_<name>", so a
# database upgraded from 18.0 keeps its constraints.
HAS_TABLE_OBJECTS = hasattr(models, "Constraint")


def sql_constraints(*specs):
    """Class-body attributes declaring `specs` on the running series.

    `specs` are `(name, definition, message)` triples, as in 18.0's
    `_sql_constraints`. Use in a class body:
    ``locals().update(compat.sql_constraints(("key_uniq", "unique(key)", "…")))``.
    """
    if HAS_TABLE_OBJECTS:
        return {
            f"_{name}": models.Constraint(definition, message)
            for name, definition, message in specs
        }
    return {"_sql_constraints": list(specs)}


def account_closed_flag(Account):
    """(field, value) marking a closed account: 18.0 flags it `deprecated`,
    19.0 archives it (`active` False)."""
    if "deprecated" in Account._fields:
        return "deprecated", True
    return "active", False


def set_groups_category(env, groups, category):
    """Show `groups` under `category` in the user form: 18.0 links groups to a
    category directly; 19.0 through a privilege (res.groups.privilege)."""
    if "privilege_id" not in groups._fields:
        groups.write({"category_id": category.id})
        return
    xmlid = "pleo_connector.res_groups_privilege_pleo"
    privilege = env.ref(xmlid, raise_if_not_found=False)
    if not privilege:
        privilege = env["res.groups.privilege"].create(
            {"name": category.name, "category_id": category.id, "sequence": 60}
        )
        env["ir.model.data"]._update_xmlids(
            [{"xml_id": xmlid, "record": privilege, "noupdate": True}]
        )
    groups.write({"privilege_id": privilege.id})


def add_user_to_groups(user, groups):
    """Make `user` a member of `groups`: 18.0 names the field `groups_id`,
    19.0 `group_ids`."""
    field = "group_ids" if "group_ids" in user._fields else "groups_id"
    user.write({field: [(4, group.id) for group in groups]})


def cron_progress(env, done, remaining):
    """Tell the running scheduled action its progress (nothing outside one).

    18.0 has ``ir.cron._notify_progress``; 19.0 deprecates it for
    ``_commit_progress``, which adds `done` to the count and commits: callers
    report right after their own commit, so that commit only saves the count.
    """
    if not env.context.get("ir_cron_progress_id"):
        return
    cron = env["ir.cron"]
    if hasattr(cron, "_commit_progress"):
        cron._commit_progress(done, remaining=remaining)
    else:
        cron._notify_progress(done=done, remaining=remaining)
