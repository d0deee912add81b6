# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One Odoo company per Pleo company, enforced by the database; Disconnect of a
connection never cuts off another connection's installation."""

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

from .common_setup import SandboxMixin


@tagged("post_install", "-at_install")
class TestOnePleoCompany(SandboxMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        Company = cls.env["res.company"]
        cls.company_a = Company.create({"name": "Nordic A/S"})
        cls.company_b = Company.create({"name": "Nordic Two ApS"})
        cls.first = cls.env["pleo.connection"].create(
            cls._api_key_vals(name="First", company_id=cls.company_a.id)
        )
        cls.first._pleo_test_connection()
        # The second is typed with the same key but no company id: Pleo's
        # installation tells which company it reaches.
        cls.second = cls.env["pleo.connection"].create(
            dict(
                cls._api_key_vals(name="Second", company_id=cls.company_b.id),
                pleo_company_id=False,
            )
        )

    def setUp(self):
        super().setUp()
        # Pleo's installation of the integration, as an OAuth consent makes it.
        client = self.first._pleo_client()
        client.create_installation(status="ACTIVATED")
        client.close()

    def _installation_alive(self):
        client = self.first._pleo_client()
        try:
            return client.get_installation()
        finally:
            client.close()

    def test_second_connection_to_the_same_pleo_company_is_refused(self):
        self.assertEqual(self.first.state, "connected")
        with self.assertRaises(UserError) as caught:
            self.second.action_pleo_test_connection()
        message = str(caught.exception)
        self.assertIn("already connected to the Odoo company Nordic A/S", message)
        self.assertIn("connection First", message)
        self.assertFalse(self.second.pleo_company_id)
        self.assertEqual(self.second.state, "draft")
        # The first connection is untouched, and tests again fine.
        name = self.first.pleo_company_name
        self.assertEqual(self.first._pleo_test_connection(), name)

    def test_database_refuses_the_same_pleo_company_twice(self):
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.second.pleo_company_id = self.first.pleo_company_id
            self.second.flush_recordset()
        # Not connected (no id) is no company: any number of drafts coexist.
        third = self.env["pleo.connection"].create(
            dict(
                self._api_key_vals(
                    name="Third",
                    company_id=self.env["res.company"].create({"name": "C"}).id,
                ),
                pleo_company_id=False,
            )
        )
        self.assertFalse(third.pleo_company_id)
        self.assertFalse(self.second.pleo_company_id)

    def test_disconnect_leaves_the_other_connections_installation(self):
        self.second.sudo().state = "connected"  # as if left over from before
        self.second.action_pleo_disconnect()
        self.assertEqual(self.second.state, "draft")
        self.assertTrue(self._installation_alive())
        self.assertEqual(self.first.state, "connected")
        # Its own Disconnect does end the installation in Pleo.
        self.first.action_pleo_disconnect()
        self.assertEqual(self.sandbox.snapshot()["installation"], None)
