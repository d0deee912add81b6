# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 2: analytic plans -> tag groups, analytic accounts -> tags.

Key: the tag (group) ``code``: the analytic account's code, else ``AA<id>``;
``PLAN<id>`` for plans. Matched case-insensitively, as Pleo's guide says, then by
name. A made-up key (``AA<id>``, ``PLAN<id>``) never replaces the code of a Pleo
record adopted on the first sync: the binding keeps Pleo's.
"""

from odoo import models

from ..services.sync_planner import Local, plan_sync


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Level 2: tags
    # ------------------------------------------------------------------
    def _pleo_sync_tags(self, client, run):
        plans = self.pleo_analytic_plan_ids
        bindings = self._pleo_bindings("tag_group")
        # Decided once for all groups: the first group's new bindings must not
        # make the second group's first sync archive.
        archive_tags = self._pleo_archives_unmatched(self._pleo_bindings("tag"))
        known_ids = set(plans.ids) | {b.res_id for b in bindings}
        Plan = self.env["account.analytic.plan"].sudo()
        plan_rows = Plan.search_read([("id", "in", list(known_ids))], ["name"])
        labels = {r["id"]: r["name"] for r in plan_rows}
        known_keys = {b.res_id: b.external_key for b in bindings}
        locals_ = []
        for row in plan_rows:
            code = known_keys.get(row["id"]) or f"PLAN{row['id']}"
            # A plan named like a group's code is that group (the export maps
            # tags the same way: the plan named by the tag group code).
            locals_.append(
                Local(
                    row["id"],
                    (code, row["name"]),
                    {"code": code, "name": row["name"]},
                    active=row["id"] in plans.ids,
                    key_field="code",
                    yields_key=True,
                )
            )
        remote_rows = client.list_tag_groups(include_archived=True)
        remotes = [
            self._pleo_remote(
                g, ("code", "code"), ("code", "name"), bool(g.get("archived"))
            )
            for g in remote_rows
        ]
        plan = plan_sync(
            locals_,
            remotes,
            bindings,
            case_insensitive=True,
            archive_unmatched=self._pleo_archives_unmatched(bindings),
        )

        def metadata(action):
            return {"odooModel": "account.analytic.plan", "odooId": str(action.res_id)}

        def create(action):
            values = action.local.values
            group = client.create_tag_group(
                values["code"],
                values["name"],
                archived=False,
                metadata=metadata(action),
            )
            return group["id"]

        def update(action, archived):
            values = action.local.values
            meta = (
                action.remote.values.get("metadata") if action.remote else None
            ) or {}
            client.update_tag_group(
                action.pleo_id,
                values["code"],
                values["name"],
                archived,
                metadata={**meta, **metadata(action)},
            )

        def archive(action):
            values = action.remote.values
            client.update_tag_group(
                action.pleo_id,
                values.get("code"),
                values.get("name"),
                True,
                metadata=values.get("metadata") or {},
            )

        self._pleo_apply(
            run,
            "tag_group",
            plan,
            {"create": create, "update": update, "archive": archive},
            labels,
        )
        run.flush()
        # Tags of every selected plan whose group is (now) active in Pleo.
        group_of_plan = {
            a.res_id: a.pleo_id
            for a in plan.noops + plan.updates + plan.unarchives
            if a.local.active
        }
        group_of_plan.update(self._pleo_created_groups(plan.creates, plans.ids))
        for plan_id in plans.ids:
            group_id = group_of_plan.get(plan_id)
            if group_id:
                self._pleo_sync_tags_of_group(
                    client, run, plan_id, group_id, archive_tags
                )
                run.flush()

    def _pleo_created_groups(self, creates, plan_ids):
        if not creates:
            return {}
        rows = (
            self.env["pleo.binding"]
            .sudo()
            .search_read(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", "tag_group"),
                    (
                        "res_id",
                        "in",
                        [a.res_id for a in creates if a.res_id in plan_ids],
                    ),
                ],
                ["res_id", "pleo_id"],
            )
        )
        return {r["res_id"]: r["pleo_id"] for r in rows}

    def _pleo_sync_tags_of_group(self, client, run, plan_id, group_id, archive):
        Account = (
            self.env["account.analytic.account"].sudo().with_context(active_test=False)
        )
        rows = Account.search_read(
            [
                ("root_plan_id", "=", plan_id),
                ("company_id", "in", [False, self.company_id.id]),
            ],
            ["name", "code", "active"],
        )
        bindings = self._pleo_bindings("tag", parent=group_id)
        known_keys = {b.res_id: b.external_key for b in bindings}
        labels = {}
        locals_ = []
        for row in rows:
            own = (row["code"] or "").strip()
            code = own or known_keys.get(row["id"]) or f"AA{row['id']}"
            labels[row["id"]] = f"{row['name']} [{code}]"
            locals_.append(
                Local(
                    row["id"],
                    (code,),
                    {"code": code, "name": row["name"]},
                    active=row["active"],
                    key_field="code",
                    yields_key=not own,
                )
            )
        remotes = [
            self._pleo_remote(t, ("code",), ("code", "name"), bool(t.get("archived")))
            for t in client.iter_tags(group_id, include_archived=True)
        ]
        # Accounts bound in another group (moved between plans) move here.
        plan = plan_sync(
            locals_,
            remotes,
            bindings,
            case_insensitive=True,
            archive_unmatched=archive,
        )

        def create(action):
            values = action.local.values
            return client.create_tag(group_id, values["code"], values["name"])["id"]

        def update(action, archived):
            values = action.local.values
            client.update_tag(action.pleo_id, values["code"], values["name"], archived)

        def archive_batch(actions):
            client.set_tags_archived([a.pleo_id for a in actions], archived=True)

        self._pleo_apply(
            run,
            "tag",
            plan,
            {"create": create, "update": update, "archive_batch": archive_batch},
            labels,
            parent=group_id,
        )
