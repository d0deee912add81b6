# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What to do next, in words that fit the reader's rights.

Retry and Sync now change Pleo and belong to Pleo managers; an accountant with
the Pleo user group reads the queue and marks problems resolved. A message
offers its reader only what that reader can do: a manager is told to press the
button, anyone else whom to ask.
"""

from odoo import models

from .pleo_access import PLEO_MANAGER


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _pleo_is_manager(self, reader=None):
        reader = reader or self.env.user
        return bool(reader) and reader.has_group(PLEO_MANAGER)

    def _pleo_retry_advice(self, reader=None):
        if self._pleo_is_manager(reader):
            return self.env._(
                "Fix the cause named in the message (mapping, account, period), "
                "then use Retry on the item."
            )
        return self.env._(
            "Fix the cause named in the message (mapping, account, period), then "
            "ask a Pleo manager to use Retry on the item."
        )

    def _pleo_sync_advice(self, reader=None):
        if self._pleo_is_manager(reader):
            return self.env._(
                "Correct the Odoo record named in the message, then Sync now."
            )
        return self.env._(
            "Correct the Odoo record named in the message, then ask a Pleo "
            "manager to use Sync now."
        )

    def _pleo_job_advice(self, reader=None):
        if self._pleo_is_manager(reader):
            return self.env._("Open the job's failed items and retry them once fixed.")
        return self.env._(
            "Open the job's failed items; once they are fixed, ask a Pleo "
            "manager to retry them."
        )
