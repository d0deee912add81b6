# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The OAuth redirect target: a real code exchange with the sandbox."""

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from odoo.tests import new_test_user, tagged
from odoo.tests.common import HttpCase
from odoo.tools.misc import hmac

from .common_setup import SANDBOX_COMPANY_NAME, SandboxMixin

CALLBACK = "/pleo/oauth/callback"


@tagged("post_install", "-at_install")
class TestOAuthCallback(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.connection = cls.env["pleo.connection"].create(cls._connection_vals())

    def _consent(self, url):
        """Pleo's consent page approves and redirects back to Odoo."""
        response = requests.get(url, allow_redirects=False, timeout=10)
        self.assertEqual(response.status_code, 302, response.text)
        location = response.headers["Location"]
        self.assertTrue(location.startswith(self.base_url() + CALLBACK), location)
        return location

    def _callback(self, location_or_query):
        if isinstance(location_or_query, dict):
            url = f"{CALLBACK}?{urlencode(location_or_query)}"
        else:
            url = location_or_query
        return self.url_open(url, allow_redirects=False)

    def test_valid_callback_connects(self):
        location = self._consent(self._oauth_start_as_admin())
        response = self._callback(location)
        self.assertEqual(response.status_code, 303, response.text)
        self.assertTrue(
            response.headers["Location"].endswith(
                f"/odoo/pleo.connection/{self.connection.id}"
                "/action-pleo_connector.pleo_setup_resume_action"
            )
        )
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.pleo_company_name, SANDBOX_COMPANY_NAME)
        self.assertTrue(self.connection.refresh_token)

        # The same callback replayed: the verifier was spent, it is refused and
        # the stored tokens stay as they were.
        token = self.connection.access_token
        replay = self._callback(location)
        self.assertEqual(replay.status_code, 400)
        self.assertIn("already used", replay.text)
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.access_token, token)

    def test_forged_state_is_refused(self):
        location = self._consent(self._oauth_start_as_admin())
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        forged = dict(query, state=json.dumps({"id": self.connection.id, "csrf": "x"}))
        self.assertEqual(self._callback(forged).status_code, 403)
        # A token made for another session (another browser) does not pass.
        other = hmac(self.env(su=True), "pleo-oauth", (self.connection.id, "other"))
        stolen = dict(
            query, state=json.dumps({"id": self.connection.id, "csrf": other})
        )
        self.assertEqual(self._callback(stolen).status_code, 403)
        self.assertEqual(self._callback(dict(query, state="garbage")).status_code, 403)
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "draft")
        self.assertFalse(self.connection.access_token)
        # The genuine callback still works afterwards.
        self.assertEqual(self._callback(query).status_code, 303)

    def test_pleo_error_is_shown(self):
        url = self._oauth_start_as_admin()
        state = parse_qs(urlsplit(url).query)["state"][0]
        response = self._callback(
            {
                "error": "access_denied",
                "error_description": "The user denied the request",
                "state": state,
            }
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("access_denied", response.text)
        self.assertIn("The user denied the request", response.text)
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "draft")
        self.assertIn("access_denied", self.connection.last_error)
        self.assertFalse(self.connection.oauth_code_verifier)

    def test_non_administrator_is_refused(self):
        state = json.dumps({"id": self.connection.id, "csrf": "x"})
        new_test_user(
            self.env,
            login="pleo_accountant",
            groups="account.group_account_manager",
        )
        self.authenticate("pleo_accountant", "pleo_accountant")
        response = self._callback({"code": "c", "state": state})
        self.assertEqual(response.status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        self.authenticate(None, None)
        response = self._callback({"code": "c", "state": "{}"})
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
