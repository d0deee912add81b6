# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Failed export jobs and sync runs reach the connection's responsible accountant.

Loaded after the export and sync models (last in models/__init__.py)."""

from odoo import _, models


class PleoExportJob(models.Model):
    _inherit = "pleo.export.job"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "completed_with_errors":
            for job in self:
                conn = job.connection_id
                reader = conn._pleo_responsible()
                conn._pleo_notify_failure(
                    _("Pleo export: items failed"),
                    _(
                        "Export job %(job)s: %(failed)s of %(total)s items failed. "
                        "%(advice)s",
                        job=job.display_name,
                        failed=job.failed_count,
                        total=job.item_count,
                        advice=conn._pleo_retry_advice(reader),
                    ),
                )
        return res


class PleoSyncLog(models.Model):
    _inherit = "pleo.sync.log"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") in ("failed", "partial"):
            for log in self:
                kind = dict(log._fields["kind"]._description_selection(log.env))
                conn = log.connection_id
                reader = conn._pleo_responsible()
                conn._pleo_notify_failure(
                    _("Pleo sync failed: %s", kind.get(log.kind, log.kind)),
                    _(
                        "%(count)s record(s) could not be synchronised:\n%(message)s\n"
                        "%(advice)s",
                        count=log.count_failed,
                        message=log.message or "",
                        advice=conn._pleo_sync_advice(reader),
                    ),
                )
        return res
