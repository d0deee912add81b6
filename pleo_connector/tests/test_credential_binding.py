# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credentials stay with the Pleo that issued them.

Pointing a connection somewhere else is for administrators, forgets what the
old place issued, and a custom URL is this machine unless an administrator
allowed more. A second sandbox plays the listener an attacker would set up: it
must never see a request.
"""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from .common_setup import SandboxMixin, SandboxServer

ALLOW_PARAM = "pleo_connector.allow_remote_custom_url"


@tagged("post_install", "-at_install")
class TestCredentialBinding(SandboxMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.listener = SandboxServer(port=0, seed="none")
        cls.listener.start()
        cls.addClassCleanup(cls.listener.stop)
        cls.connection = cls.env["pleo.connection"].create(
            cls._api_key_vals(
                integration_level="4",
                access_token="access-a",
                refresh_token="refresh-a",
                webhook_secret="whsec_c2VjcmV0",
                webhook_subscription_id="00000000-0000-4000-8000-000000000001",
            )
        )
        cls.connection.sudo().state = "connected"
        cls.manager = new_test_user(
            cls.env, login="bind_manager", groups="account.group_account_manager"
        )
        cls.admin = new_test_user(
            cls.env,
            login="bind_admin",
            groups="account.group_account_manager,base.group_system",
        )

    def _listener_requests(self):
        return self.listener.request_counts()["total"]

    def test_a_manager_cannot_point_the_connection_elsewhere(self):
        conn = self.connection.with_user(self.manager)
        for vals in (
            {"custom_url": self.listener.url},
            {"environment": "staging"},
            {"environment": "production"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                conn.write(vals)
        self.assertEqual(self.connection.custom_url, self.sandbox.url)
        self.assertEqual(self.connection.api_key, self.sandbox.api_key)
        # Nor create a connection pointing at a place of their choosing.
        with self.assertRaises(AccessError):
            self.env["pleo.connection"].with_user(self.manager).create(
                {"name": "Mine", "environment": "custom", "custom_url": "http://x"}
            )

    def test_moving_forgets_every_credential_and_sends_none(self):
        conn = self.connection.with_user(self.admin)
        conn.write({"custom_url": self.listener.url})
        sudo = self.connection.sudo()
        self.assertEqual(sudo.state, "draft")
        for field in ("api_key", "access_token", "refresh_token", "client_secret"):
            self.assertFalse(sudo[field], field)
        self.assertFalse(sudo.webhook_secret)
        self.assertFalse(sudo.webhook_subscription_id)
        self.assertFalse(sudo.pleo_company_id)
        self.assertIn("forgotten", self.connection.message_ids[0].body)
        with self.assertRaises(UserError):
            conn.action_pleo_test_connection()
        self.assertEqual(self._listener_requests(), 0)

    def test_credentials_given_with_the_move_belong_to_the_new_place(self):
        self.connection.with_user(self.admin).write(
            {"custom_url": self.listener.url, "api_key": "new-place-key"}
        )
        self.assertEqual(self.connection.sudo().api_key, "new-place-key")
        self.assertFalse(self.connection.sudo().refresh_token)

    def test_same_place_written_again_forgets_nothing(self):
        self.connection.write(
            {"environment": "custom", "custom_url": self.sandbox.url, "name": "X"}
        )
        self.assertEqual(self.connection.sudo().api_key, self.sandbox.api_key)
        self.assertEqual(self.connection.sudo().refresh_token, "refresh-a")
        self.assertEqual(self.connection.state, "connected")

    def test_custom_url_must_be_this_machine(self):
        for url in (
            "https://evil.example.com",
            "http://10.0.0.5:8900",
            "http://localhost.evil.example.com",
            "ftp://127.0.0.1",
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.connection.write({"custom_url": url})
                self.connection.flush_recordset()
        for url in ("http://localhost:8900", "http://[::1]:8900", "http://127.0.0.2"):
            with self.subTest(url=url):
                self.connection.write({"custom_url": url})

    def test_remote_sandbox_needs_the_system_parameter_at_every_use(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(ALLOW_PARAM, "True")
        self.connection.write({"custom_url": "https://sandbox.example.com"})
        self.connection.sudo().api_key = "key"
        params.set_param(ALLOW_PARAM, False)
        with self.assertRaises(ValidationError):
            self.connection._pleo_client()

    def test_production_and_staging_urls_are_fixed(self):
        self.connection.write({"environment": "staging", "custom_url": False})
        self.assertEqual(
            self.connection._pleo_environment().api_url,
            "https://external.staging.pleo.io",
        )

    def test_a_revocation_whose_caller_rolled_back_is_recorded_by_the_next_cron(self):
        self.connection._write_token_vals(
            {"access_token": False, "refresh_token": False, "revoked_reason": "gone"}
        )
        self.assertEqual(self.connection.state, "connected")
        crons = self.env["pleo.connection"]._pleo_connections_for_cron()
        self.assertNotIn(self.connection, crons)
        self.assertEqual(self.connection.state, "reauth")
        self.assertIn("gone", self.connection.last_error)
        activities = self.connection.activity_ids
        self.env["pleo.connection"]._pleo_connections_for_cron()
        self.assertEqual(self.connection.activity_ids, activities, "recorded twice")

    def test_webhook_url_secret_never_reaches_the_chatter(self):
        self.connection.action_pleo_register_webhooks()
        token = self.connection.sudo().webhook_token
        bodies = " ".join(self.connection.message_ids.mapped("body"))
        self.assertIn("/pleo/webhook/", bodies)
        self.assertNotIn(token, bodies)
