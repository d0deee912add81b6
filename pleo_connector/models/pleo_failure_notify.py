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
                job.connection_id._pleo_notify_failure(
                    _("Pleo export: items failed"),
                    _(
                        "Export job %(job)s: %(failed)s of %(total)s items failed. "
                        "Open Failed items on the connection, fix what each one "
                        "says, then use Retry.",
                        job=job.display_name,
                        failed=job.failed_count,
                        total=job.item_count,
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
                log.connection_id._pleo_notify_failure(
                    _("Pleo sync failed: %s", kind.get(log.kind, log.kind)),
                    _(
                        "%(count)s record(s) could not be synchronised:\n%(message)s\n"
                        "Correct the Odoo records named above, then use Sync now "
                        "on the Master data page.",
                        count=log.count_failed,
                        message=log.message or "",
                    ),
                )
        return res
