# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generic execution of a sync plan (``services.sync_planner``) and binding reads.

The bindings keep the hash of what was pushed, so an unchanged record costs no
write call.
"""

from odoo import models

from ..services.sync_planner import Bound, Remote
from .pleo_connection_sync import RECORD_ERRORS


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Generic execution of a plan
    # ------------------------------------------------------------------
    def _pleo_bindings(self, kind, parent=None):
        domain = [("connection_id", "=", self.id), ("pleo_kind", "=", kind)]
        if parent is not None:
            domain.append(("pleo_parent_id", "=", parent))
        rows = (
            self.env["pleo.binding"]
            .sudo()
            .search_read(
                domain,
                [
                    "res_id",
                    "pleo_id",
                    "pushed_hash",
                    "archived",
                    "origin",
                    "external_key",
                ],
            )
        )
        return [
            Bound(
                r["res_id"],
                r["pleo_id"],
                r["pushed_hash"],
                r["archived"],
                r["origin"],
                r["external_key"] or None,
            )
            for r in rows
        ]

    def _pleo_archives_unmatched(self, bindings):
        """Pleo's reconcile rule (archive what Odoo does not know), except on a
        kind's first sync: a company's existing Pleo data is adopted or left
        alone then, never archived."""
        return self.pleo_archive_unmatched and bool(bindings)

    def _pleo_binding_lookup(self, kind, keys):
        """{external key: Odoo record id} of what this connection pushed to Pleo,
        for mapping Pleo references (export items) back to Odoo records."""
        rows = (
            self.env["pleo.binding"]
            .sudo()
            .search_read(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", kind),
                    ("external_key", "in", list(keys)),
                ],
                ["external_key", "res_id"],
            )
        )
        return {r["external_key"]: r["res_id"] for r in rows}

    def _pleo_apply(self, run, kind, plan, ops, labels, parent=None):
        """Perform ``plan`` with ``ops`` (callables per operation) and queue the
        bindings. ops: create(action) -> pleo_id; create_batch(actions) ->
        [(action, pleo_id | None, error | None)] (optional); update(action,
        archived) ; archive_batch(actions) (optional) or archive(action)."""

        def label(action):
            remote_name = action.remote.values.get("name") if action.remote else None
            return labels.get(action.res_id) or remote_name or action.pleo_id or "?"

        def bind(action, pleo_id, archived=False):
            if action.res_id is None:
                return
            run.bind(
                kind,
                {
                    "res_id": action.res_id,
                    "pleo_id": pleo_id,
                    "pleo_parent_id": parent,
                    "external_key": action.local.key if action.local else None,
                    "pushed_hash": action.hash,
                    "archived": archived,
                    "origin": ops.get("origin", {}).get(action.res_id, "odoo"),
                },
            )

        run.note_plan(kind, plan, label)
        for res_id, message in plan.conflicts:
            run.fail(labels.get(res_id, str(res_id)), ValueError(message))
        run.forget.setdefault(kind, []).extend(plan.forget)
        run.counts["unchanged"] += len(plan.noops)
        for action in plan.noops:
            if action.bind:
                bind(action, action.pleo_id, archived=action.remote.archived)
        # Archive first: it frees Pleo's active-tag slots and unique codes.
        if plan.archives:
            if "archive_batch" in ops:
                try:
                    ops["archive_batch"](plan.archives)
                    done = plan.archives
                except RECORD_ERRORS:
                    done = []
                    for action in plan.archives:
                        try:
                            ops["archive_batch"]([action])
                            done.append(action)
                        except RECORD_ERRORS as exc:
                            run.fail(label(action), exc)
            else:
                done = []
                for action in plan.archives:
                    try:
                        ops["archive"](action)
                        done.append(action)
                    except RECORD_ERRORS as exc:
                        run.fail(label(action), exc)
            run.counts["archived"] += len(done)
            for action in done:
                if action.local is not None:
                    bind(action, action.pleo_id, archived=True)
        for action in plan.unarchives + plan.updates:
            try:
                ops["update"](action, False)
            except RECORD_ERRORS as exc:
                run.fail(label(action), exc)
                continue
            run.counts["updated"] += 1
            bind(action, action.pleo_id)
        creates = plan.creates
        if creates and "create_batch" in ops and len(creates) > 1:
            for action, pleo_id, error in ops["create_batch"](creates):
                if pleo_id:
                    run.counts["created"] += 1
                    bind(action, pleo_id)
                else:
                    run.fail(label(action), ValueError(error))
            creates = []
        for action in creates:
            try:
                pleo_id = ops["create"](action)
            except RECORD_ERRORS as exc:
                run.fail(label(action), exc)
                continue
            run.counts["created"] += 1
            bind(action, pleo_id)

    @staticmethod
    def _pleo_remote(row, keys, names, archived):
        return Remote(
            row["id"],
            tuple(row.get(k) for k in keys),
            {n: row.get(n) for n in names if n in row},
            archived,
        )
