# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The guided setup, against the Pleo sandbox over loopback."""

from urllib.parse import parse_qs, urlsplit

import requests

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from .common_setup import (
    SANDBOX_COMPANY_NAME,
    SandboxMixin,
    state_csrf,
    visible_names,
)


@tagged("post_install", "-at_install")
class TestSetupWizard(SandboxMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.Wizard = cls.env["pleo.setup.wizard"]
        cls.Connection = cls.env["pleo.connection"]

    def _wizard(self, **vals):
        base = {
            "environment": "custom",
            "custom_url": self.sandbox.url,
        }
        base.update(vals)
        return self.Wizard.create(base)

    def _authorize(self, url):
        """What the user's browser does at Pleo: approve, follow the 302 back."""
        response = requests.get(url, allow_redirects=False, timeout=10)
        self.assertEqual(response.status_code, 302, response.text)
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return {k: v[0] for k, v in query.items()}

    def test_api_key_setup_reaches_pleo_company(self):
        wizard = self._wizard(
            auth_method="api_key",
            api_key=self.sandbox.api_key,
            pleo_company_id=self.sandbox.company_id,
        )
        action = wizard.action_connect_api_key()
        self.assertEqual(action["res_model"], "pleo.setup.wizard")
        connection = wizard.connection_id
        self.assertEqual(connection.company_id, self.env.company)
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.pleo_company_name, SANDBOX_COMPANY_NAME)
        self.assertEqual(wizard.step, "level")
        self.assertEqual(wizard.pleo_company_name, SANDBOX_COMPANY_NAME)
        # The key lives on the connection only, never on the transient wizard.
        self.assertFalse(wizard.api_key)
        self.assertEqual(connection.api_key, self.sandbox.api_key)

        wizard.integration_level = "1"
        result = wizard.action_finish()
        self.assertEqual(result["res_model"], "pleo.connection")
        self.assertEqual(result["res_id"], connection.id)
        self.assertEqual(connection.integration_level, "1")
        bodies = " ".join(connection.message_ids.mapped("body"))
        self.assertIn(SANDBOX_COMPANY_NAME, bodies)
        self.assertIn("Setup finished", bodies)
        # No secret in chatter.
        self.assertNotIn(self.sandbox.api_key, bodies)

    def test_wrong_api_key_is_refused_with_pleo_reason(self):
        wizard = self._wizard(
            auth_method="api_key",
            api_key="not-the-key",
            pleo_company_id=self.sandbox.company_id,
        )
        action = wizard.action_connect_api_key()
        # Shown on the step, not raised: raising would roll back the forgetting.
        self.assertEqual(action["res_id"], wizard.id)
        self.assertEqual(wizard.step, "connect")
        self.assertIn("Test connection failed", wizard.connect_error)
        connection = wizard.connection_id
        self.assertEqual(connection.state, "draft")
        self.assertIn("Test connection failed", connection.last_error)
        self.assertNotIn("not-the-key", connection.last_error)
        # The refused key is kept nowhere: not on the wizard, not on the connection.
        self.assertFalse(wizard.api_key)
        self.assertFalse(connection.api_key)

    def test_oauth_connect_discovers_company_and_refuses_replay(self):
        wizard = self._wizard(
            auth_method="oauth",
            client_id=self.sandbox.client_id,
            client_secret=self.sandbox.client_secret,
            integration_level="2",
        )
        action = wizard.action_connect_oauth()
        self.assertEqual(action["type"], "ir.actions.act_url")
        query = parse_qs(urlsplit(action["url"]).query)
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertNotIn(self.sandbox.client_secret, action["url"])
        connection = wizard.connection_id
        self.assertTrue(connection.oauth_code_verifier)
        self.assertEqual(connection.integration_level, "2")

        back = self._authorize(action["url"])
        state = back["state"]
        self.assertTrue(connection._pleo_oauth_check_state(state_csrf(state)))
        connection._pleo_oauth_callback(back["code"])
        self.assertEqual(connection.state, "connected")
        self.assertTrue(connection.access_token)
        self.assertTrue(connection.refresh_token)
        self.assertFalse(connection.oauth_code_verifier, "verifier is spent")
        # No company id given: discovered from the installation resource.
        self.assertEqual(connection.pleo_company_id, self.sandbox.company_id)
        self.assertEqual(connection.pleo_company_name, SANDBOX_COMPANY_NAME)

        # The same callback again: the verifier is gone, nothing reaches Pleo.
        with self.assertRaisesRegex(UserError, "already used"):
            connection._pleo_oauth_callback(back["code"])
        self.assertEqual(connection.state, "connected")

        # Finish: the last step previews the first sync; nothing is written in
        # Pleo, and the installation stays AUTHORIZED, until it is confirmed.
        action = wizard.action_finish()
        self.assertEqual(action["res_model"], "pleo.sync.preview")
        preview = self.env["pleo.sync.preview"].browse(action["res_id"])
        self.assertIn("tag_group", preview.line_ids.mapped("kind"))
        self.assertEqual(self._installation(connection)["status"], "AUTHORIZED")
        # Confirmed: synced, and the installation Pleo created at consent activated.
        preview.action_confirm()
        self.assertTrue(connection.pleo_sync_confirmed_at)
        self.assertTrue(
            connection.pleo_sync_log_ids.filtered(lambda x: x.kind == "tags")
        )
        self.assertEqual(self._installation(connection)["status"], "ACTIVATED")

    def _installation(self, connection):
        return requests.get(
            f"{self.sandbox.url}/v1/installations/me",
            headers={"Authorization": f"Bearer {connection.access_token}"},
            timeout=10,
        ).json()

    def test_disconnect_revokes_tokens_in_pleo(self):
        connection = self.Connection.create(self._connection_vals())
        url = connection.action_pleo_oauth_start()["url"]
        connection._pleo_oauth_callback(self._authorize(url)["code"])
        token = connection.access_token
        me = f"{self.sandbox.url}/v1/installations/me"
        headers = {"Authorization": f"Bearer {token}"}
        self.assertEqual(requests.get(me, headers=headers, timeout=10).status_code, 200)

        connection.action_pleo_disconnect()
        self.assertEqual(connection.state, "draft")
        self.assertFalse(connection.access_token)
        self.assertFalse(connection.refresh_token)
        # Pleo revoked the old token too: it no longer opens anything.
        self.assertEqual(requests.get(me, headers=headers, timeout=10).status_code, 401)
        self.assertIn("Disconnected", connection.message_ids[0].body)

    def test_wizard_reopens_existing_connection_at_level_step(self):
        connection = self.Connection.create(self._api_key_vals())
        connection._pleo_test_connection()
        action = connection.action_pleo_open_setup()
        wizard = self.Wizard.browse(action["res_id"])
        self.assertEqual(wizard.connection_id, connection)
        self.assertEqual(wizard.step, "level")

    def test_level_choice_shows_level_help(self):
        """The level step shows exactly the blocks of the chosen level."""
        wizard = self._wizard(auth_method="api_key", step="level")
        arch = wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        for level in "1234":
            visible = visible_names(arch, {"integration_level": level, "step": "level"})
            for shown in "1234":
                name = f"level_{shown}_help"
                self.assertEqual(
                    name in visible, shown <= level, f"{name} at level {level}"
                )
