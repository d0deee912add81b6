# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Headless Chromium walks the setup from Settings to an imported entry."""

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from .common_setup import SandboxMixin


@tagged("post_install", "-at_install")
class TestPleoSetupTour(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        # The sandbox's wallet is in DKK: a DKK company on the generic chart.
        company = cls.env.company
        dkk = cls.env.ref("base.DKK")
        dkk.active = True
        if company.currency_id != dkk:
            company.currency_id = dkk
        if not company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", company)

    def _import_an_entry(self):
        """Book the sandbox's pending export with a working connection, then
        leave the connection as it is before anybody set it up."""
        connection = self.env["pleo.connection"].create(self._api_key_vals())
        connection._pleo_test_connection()
        wizard = self.env["pleo.setup.wizard"].browse(
            connection.action_pleo_open_setup()["res_id"]
        )
        wizard.action_finish()  # level 1 defaults: a new Pleo Wallet account
        connection._pleo_export_run()
        booked = self.env["pleo.export.item"].search(
            [("connection_id", "=", connection.id), ("move_id", "!=", False)]
        )
        self.assertTrue(booked, "the sandbox export booked no entry")
        connection.sudo().write(
            {"state": "draft", "api_key": False, "pleo_company_id": False}
        )
        return connection, booked

    def test_setup_tour(self):
        connection, _booked = self._import_an_entry()
        self.start_tour(
            "/odoo",
            "pleo_setup_tour",
            login="admin",
            cookies={
                "pleo_tour_url": self.sandbox.url,
                "pleo_tour_company": self.sandbox.company_id,
            },
            timeout=120,
        )
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.integration_level, "1")
        self.assertEqual(connection.pleo_company_id, self.sandbox.company_id)
