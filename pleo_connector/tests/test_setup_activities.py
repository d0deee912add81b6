# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Failures reach people: state, activity for the responsible, chatter."""

from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from ..pleo import errors
from .common_setup import SandboxMixin


@tagged("post_install", "-at_install")
class TestSetupActivities(SandboxMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.accountant = new_test_user(
            cls.env, login="pleo_resp", groups="account.group_account_user"
        )
        cls.connection = cls.env["pleo.connection"].create(
            cls._api_key_vals(responsible_user_id=cls.accountant.id)
        )
        cls.connection._pleo_test_connection()
        cls.activity_type = cls.env.ref("pleo_connector.mail_activity_pleo_attention")

    def _pleo_activities(self):
        return self.connection.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type
        )

    def test_responsible_defaults_to_creator(self):
        connection = self.env["pleo.connection"].create(
            {
                "name": "Other",
                "company_id": self.env["res.company"].create({"name": "Other Co"}).id,
            }
        )
        self.assertEqual(connection.responsible_user_id, self.env.user)

    def test_failure_schedules_one_activity_and_needs_attention(self):
        self.assertEqual(self.connection.state, "connected")
        self.connection._pleo_notify_failure(
            "Export job failed", "Journal PLEO has no default account."
        )
        self.assertEqual(self.connection.state, "attention")
        self.assertIn("no default account", self.connection.last_error)
        activities = self._pleo_activities()
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.accountant)
        self.assertEqual(activities.summary, "Export job failed")
        self.assertIn("Export job failed", self.connection.message_ids[0].body)

        # The same failure again: no second activity stacked.
        self.connection._pleo_notify_failure(
            "Export job failed", "Journal PLEO has no default account."
        )
        self.assertEqual(len(self._pleo_activities()), 1)
        # A different failure gets its own.
        self.connection._pleo_notify_failure("3 export items failed", "See queue.")
        self.assertEqual(len(self._pleo_activities()), 2)

        # The accountant fixes it and marks it resolved.
        self.connection.with_user(self.accountant).action_pleo_mark_resolved()
        self.assertEqual(self.connection.state, "connected")
        self.assertFalse(self._pleo_activities())
        self.assertFalse(self.connection.last_error)

    def test_lost_authorisation_tells_responsible(self):
        self.connection.sudo().write(
            {"auth_method": "oauth", "access_token": "a", "refresh_token": "r"}
        )
        self.connection._pleo_lose_authorisation("invalid_grant")
        self.assertEqual(self.connection.state, "reauth")
        activity = self._pleo_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("authorisation lost", activity.summary)
        note = self.connection.message_ids[0].body
        self.assertIn("invalid_grant", note)
        # Told once: recording the same loss again adds nothing.
        self.assertFalse(self.connection._pleo_lose_authorisation("invalid_grant"))
        self.assertEqual(self.connection.message_ids[0].body, note)
        self.assertNotIn(">r<", note)

    def test_revoked_refresh_token_reaches_people(self):
        """A refresh Pleo refuses (sandbox: unknown token) ends in reauth."""
        self.connection.sudo().write(
            {
                "auth_method": "oauth",
                "client_id": self.sandbox.client_id,
                "client_secret": self.sandbox.client_secret,
                "access_token": False,
                "refresh_token": "spent-or-unknown",
                "token_expires_at": 0,
            }
        )
        # Not assertRaises: Odoo's rolls its savepoint back, and the point is
        # what stays in the database after the error.
        try:
            self.connection._pleo_access_token()
        except errors.PleoTokenRevoked:
            pass
        else:
            self.fail("Pleo's refusal was not raised")
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "reauth")
        self.assertEqual(len(self._pleo_activities()), 1)

    def test_overview_shows_health_crons_and_queue(self):
        html = str(self.connection.overview_html)
        self.assertIn("Connection health", html)
        self.assertIn("Connected", html)
        self.assertIn("Scheduled actions", html)
        crons = self.connection._pleo_cron_rows()
        for cron in crons:
            self.assertIn(cron.name, html)
        self.connection._pleo_notify_failure("Export job failed", "Fix the journal.")
        self.connection.invalidate_recordset(["overview_html"])
        self.assertIn("Needs attention", str(self.connection.overview_html))
