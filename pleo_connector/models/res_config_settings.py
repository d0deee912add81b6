# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Settings > Accounting > Pleo: the company's connection and how to reach it."""

from odoo import api, fields, models

from .pleo_access import PLEO_MANAGER, pleo_requires


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pleo_connection_id = fields.Many2one(
        comodel_name="pleo.connection", compute="_compute_pleo_connection_id"
    )
    pleo_connection_state = fields.Selection(related="pleo_connection_id.state")
    pleo_company_name = fields.Char(related="pleo_connection_id.pleo_company_name")
    pleo_integration_level = fields.Selection(
        related="pleo_connection_id.integration_level"
    )

    @api.depends("company_id")
    def _compute_pleo_connection_id(self):
        Connection = self.env["pleo.connection"]
        for settings in self:
            settings.pleo_connection_id = Connection._pleo_company_connection(
                settings.company_id
            )

    @pleo_requires(PLEO_MANAGER, "read")
    def action_pleo_open_connection(self):
        self.ensure_one()
        connection = self.pleo_connection_id
        if not connection:
            return self.env["pleo.setup.wizard"]._pleo_action_open()
        return {
            "type": "ir.actions.act_window",
            "res_model": "pleo.connection",
            "res_id": connection.id,
            "view_mode": "form",
            "target": "current",
        }

    @pleo_requires(PLEO_MANAGER, "read")
    def action_pleo_setup(self):
        self.ensure_one()
        return self.env["pleo.setup.wizard"]._pleo_action_open(
            self.pleo_connection_id or None
        )
