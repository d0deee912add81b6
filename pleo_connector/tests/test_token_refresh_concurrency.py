# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Token refresh as production runs it: separate transactions, real concurrency.

Pleo rotates refresh tokens and revokes the whole authorisation when a spent one
comes back. Elsewhere the tests run in one transaction, where a savepoint stands
in for the token transaction; here the connection is committed and the refresh
runs in its own transactions, from two workers at once, as cron workers would.
"""

import threading
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import api, modules, tools
from odoo.tests import TransactionCase, tagged

from ..pleo import PleoOAuth, environment_for
from .common_setup import SandboxServer

REDIRECT_URI = "http://localhost:8069/pleo/oauth/callback"


@tagged("post_install", "-at_install")
class TestTokenRefreshConcurrency(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = SandboxServer(port=0, seed="none", token_ttl=600)
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        # Committed, so other transactions see it. It stays in the test database
        # (its Pleo journal keeps it from being deleted); connections are removed.
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, cls.env.uid, {})
            cls.company_id = env["res.company"].create({"name": "Pleo refresh Ltd"}).id

    def _oauth_token(self):
        oauth = PleoOAuth(
            self.sandbox.client_id,
            self.sandbox.client_secret,
            environment_for("custom", self.sandbox.url),
            REDIRECT_URI,
        )
        verifier = oauth.new_code_verifier()
        consent = requests.get(
            oauth.authorization_url("state", verifier),
            allow_redirects=False,
            timeout=10,
        )
        code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
        return oauth.fetch_token(code, verifier)

    def _committed_connection(self):
        """A connection other transactions can see, removed after the test."""
        token = self._oauth_token()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            conn = env["pleo.connection"].create(
                {
                    "company_id": self.company_id,
                    "environment": "custom",
                    "custom_url": self.sandbox.url,
                    "client_id": self.sandbox.client_id,
                    "client_secret": self.sandbox.client_secret,
                    "access_token": token["access_token"],
                    "refresh_token": token["refresh_token"],
                    "token_expires_at": 1,  # due: every caller wants a refresh
                }
            )
            conn.sudo().state = "connected"
            connection_id = conn.id
        self.addCleanup(self._drop, connection_id)
        return connection_id

    def _drop(self, connection_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            env["pleo.connection"].browse(connection_id).unlink()

    def _production_mode(self):
        """Leave the tests' single-transaction shortcut for the real path."""
        return patch.dict(tools.config.options, {"test_enable": False}), patch.object(
            modules.module, "current_test", None
        )

    def _token_in_worker(self, connection_id, results, index):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            conn = env["pleo.connection"].browse(connection_id)
            results[index] = conn._pleo_access_token()

    def test_two_workers_refresh_once_and_share_the_new_token(self):
        connection_id = self._committed_connection()
        before = self.sandbox.state.auth.stats["refreshes"]
        results = {}
        config_patch, test_patch = self._production_mode()
        with config_patch, test_patch:
            workers = [
                threading.Thread(
                    target=self._token_in_worker, args=(connection_id, results, i)
                )
                for i in range(2)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(30)
        self.assertFalse(any(w.is_alive() for w in workers), "a worker hangs")
        self.assertEqual(len(results), 2)
        self.assertEqual(results[0], results[1])
        stats = self.sandbox.state.auth.stats
        self.assertEqual(stats["refreshes"] - before, 1)
        self.assertEqual(stats["reuse_detected"], 0)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            conn = env["pleo.connection"].browse(connection_id)
            self.assertEqual(conn.state, "connected")
            self.assertEqual(conn.sudo().access_token, results[0])

    def test_caller_that_wrote_the_connection_does_not_wait_on_itself(self):
        connection_id = self._committed_connection()
        results = {}

        def caller():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                conn = env["pleo.connection"].browse(connection_id)
                conn.name = "Renamed while exporting"  # holds the row lock
                conn.flush_recordset()
                results["token"] = conn._pleo_access_token()
                conn.name = "Renamed again after the refresh"
                conn.flush_recordset()

        config_patch, test_patch = self._production_mode()
        with config_patch, test_patch:
            worker = threading.Thread(target=caller)
            worker.start()
            worker.join(30)
        self.assertFalse(worker.is_alive(), "the refresh waited on its own caller")
        self.assertTrue(results.get("token"))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            conn = env["pleo.connection"].browse(connection_id)
            self.assertEqual(conn.name, "Renamed again after the refresh")
            self.assertEqual(conn.sudo().access_token, results["token"])

    def test_revocation_during_an_export_run_is_recorded_once(self):
        """Pleo refuses the refresh token in the middle of a run whose
        transaction already holds the connection row: the run neither waits on
        itself nor fails to commit, and the loss is recorded once."""
        connection_id = self._committed_connection()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            env["pleo.connection"].browse(connection_id).refresh_token = "spent"
        outcome = {}

        def run():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                conn = env["pleo.connection"].browse(connection_id)
                conn.name = "Exporting"  # the run holds the row
                conn.flush_recordset()
                try:
                    outcome["handled"] = conn._pleo_export_run()
                except Exception as exc:  # pylint: disable=broad-except
                    outcome["error"] = exc

        config_patch, test_patch = self._production_mode()
        with config_patch, test_patch:
            worker = threading.Thread(target=run)
            worker.start()
            worker.join(30)
        self.assertFalse(worker.is_alive(), "the token transaction waited on the run")
        self.assertNotIn("error", outcome)
        self.assertEqual(outcome["handled"], 0)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            conn = env["pleo.connection"].browse(connection_id)
            self.assertEqual(conn.state, "reauth")
            self.assertTrue(conn.export_last_run, "the run's bookkeeping was lost")
            self.assertEqual(conn.name, "Exporting")
            self.assertFalse(conn.sudo().refresh_token)
            self.assertEqual(len(conn.activity_ids), 1)
            # The next cron finds it recorded and does not record it again.
            self.assertFalse(env["pleo.connection"]._pleo_connections_for_cron() & conn)
            self.assertEqual(len(conn.activity_ids), 1)
