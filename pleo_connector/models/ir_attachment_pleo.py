# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Receipts stored whole after a worker was stopped while writing one.

Odoo's filestore names a file by the SHA-1 of its content and writes it in
place. A worker that Odoo's time limit kills in the middle of that write leaves
the first part of the file under the full content's name; from then on Odoo
refuses every attachment with that content ("The attachment collides with an
existing file"), so the receipt's expense could never be booked. Such a file is
recognisable: shorter than the content its name stands for, and its start.
"""

import logging
import os

from odoo import api, models

_logger = logging.getLogger(__name__)

# Set by the export when it stores Pleo's receipts.
REPAIR_CONTEXT_KEY = "pleo_repair_interrupted_writes"


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _get_path(self, bin_data, sha):
        if self.env.context.get(REPAIR_CONTEXT_KEY):
            self._pleo_drop_interrupted_write(bin_data, sha)
        return super()._get_path(bin_data, sha)

    @api.model
    def _pleo_drop_interrupted_write(self, bin_data, sha):
        """Remove the file of `sha` when it is a cut-off copy of `bin_data`,
        so that Odoo writes it whole; any other file is left to Odoo."""
        full_path = self._full_path(f"{sha[:2]}/{sha}")
        try:
            if os.path.getsize(full_path) >= len(bin_data):
                return
            with open(full_path, "rb") as stored:
                if not bin_data.startswith(stored.read()):
                    return
            os.unlink(full_path)
        except OSError:
            return  # no such file, or another worker replaced it meanwhile
        _logger.warning(
            "Filestore file %s was cut off (a worker stopped while writing "
            "it): written again whole",
            full_path,
        )
