# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The setup finishes: Pleo's OAuth consent returns into the wizard where it
left off, Finish activates the installation in Pleo (said once), and Pleo's
refusal is shown on an Odoo page with the way back."""

from urllib.parse import parse_qs, urlsplit

import requests

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from .common_setup import SandboxMixin

CALLBACK = "/pleo/oauth/callback"
RESUME = "/action-pleo_connector.pleo_setup_resume_action"


@tagged("post_install", "-at_install")
class TestSetupFinishes(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.connection = cls.env["pleo.connection"].create(cls._connection_vals())

    def _resume_url(self):
        return f"/odoo/pleo.connection/{self.connection.id}{RESUME}"

    def test_consent_returns_into_the_wizard_and_finish_activates(self):
        consent = requests.get(
            self._oauth_start_as_admin(), allow_redirects=False, timeout=10
        )
        response = self.url_open(consent.headers["Location"], allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(self._resume_url()))
        # What that URL runs: the wizard on its second step.
        resume = self.env.ref("pleo_connector.pleo_setup_resume_action")
        action = resume.with_context(active_id=self.connection.id).run()
        self.assertEqual(action["res_model"], "pleo.setup.wizard")
        self.assertEqual(action["target"], "new")
        wizard = self.env["pleo.setup.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.step, "level")
        self.assertEqual(wizard.connection_state, "connected")
        wizard.action_finish()
        self.assertEqual(self.sandbox.snapshot()["installation"]["status"], "ACTIVATED")
        bodies = self.connection.message_ids.mapped("body")
        said = [b for b in bodies if "Installation activated in Pleo." in b]
        self.assertEqual(len(said), 1, bodies)

    def test_refusal_page_is_odoos_with_a_way_back(self):
        state = parse_qs(urlsplit(self._oauth_start_as_admin()).query)["state"][0]
        response = self.url_open(
            f"{CALLBACK}?error=access_denied&error_description=Denied&state={state}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        page = response.text
        self.assertIn("o_pleo_oauth_result", page)
        self.assertIn("/web/assets/", page)  # Odoo's own styles and frame
        self.assertIn("Pleo did not connect", page)
        self.assertIn("access_denied", page)
        self.assertIn(f'href="{self._resume_url()}"', page)
        self.assertIn("Back to the Pleo setup", page)

    def test_browser_lands_in_the_wizard_with_the_menu(self):
        self.connection.sudo().write(
            {
                "auth_method": "api_key",
                "api_key": self.sandbox.api_key,
                "pleo_company_id": self.sandbox.company_id,
            }
        )
        self.connection._pleo_test_connection()
        self.start_tour(self._resume_url(), "pleo_setup_resume_tour", login="admin")
