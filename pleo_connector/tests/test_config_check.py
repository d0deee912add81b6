# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The configuration check, on a company and a sandbox seeded with each problem.

The clean configuration (the export tests' company, webhooks registered, a
pending job in Pleo) is all green; each test then breaks one thing and reads
the line it gets. Only read calls reach the sandbox, and an accountant may run
the check.
"""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .. import compat
from ..pleo import PleoOAuth
from .common_export import PleoExportCase
from .common_sync import READ_ROUTES, write_calls


@tagged("post_install", "-at_install")
class TestConfigCheck(PleoExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.accountant = new_test_user(
            cls.env,
            login="pleo_check_accountant",
            groups="account.group_account_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        # Clean: Pleo's contra accounts are the wallets', not the bank's own.
        self.sandbox.put_account("101401", contra=False)
        self.env.ref("pleo_connector.ir_cron_pleo_export").sudo().active = True
        self.connection.action_pleo_register_webhooks()
        self.sandbox.state.requests.reset()

    # -- helpers ---------------------------------------------------------------
    def check(self, connection=None, user=None):
        connection = connection or self.connection
        if user:
            connection = connection.with_user(user)
        action = connection.action_pleo_check_configuration()
        return self.env["pleo.config.check"].browse(action["res_id"])

    def lines(self, check, code, severity=None):
        return check.line_ids.filtered(
            lambda line: (
                line.code == code and (severity is None or line.severity == severity)
            )
        )

    def assertFinding(self, check, code, severity, text=None):
        lines = self.lines(check, code, severity)
        if text:
            lines = lines.filtered(lambda line: text in line.title)
        self.assertTrue(
            lines,
            f"no {severity} {code} line{f' about {text}' if text else ''}; got "
            + "; ".join(
                f"{x.severity} {x.code}: {x.title} ({x.detail})" for x in check.line_ids
            ),
        )
        self.assertEqual(check.state, max(check.line_ids.mapped("severity"), key=RANK))
        return lines

    def write_calls(self):
        return write_calls(self.sandbox)

    def close_account(self, account):
        closed_field, closed = compat.account_closed_flag(account)
        account.write({closed_field: closed})

    # -- clean -----------------------------------------------------------------
    def test_clean_configuration_is_all_green(self):
        self.sandbox.create_job("small", notify=False)
        check = self.check()
        self.assertEqual(
            [
                (x.code, x.severity, x.title)
                for x in check.line_ids
                if x.severity != "green"
            ],
            [],
        )
        self.assertEqual(check.state, "green")
        for code in (
            "authorisation",
            "tax_codes",
            "tax_names",
            "accounts",
            "contra",
            "wallets",
            "currencies",
            "lock_date",
            "journals",
            "pending_jobs",
            "crons",
            "webhooks",
        ):
            self.assertTrue(self.lines(check, code, "green"), code)
        self.assertGreater(check.request_count, 0)

    def test_only_read_calls_reach_pleo(self):
        job = self.sandbox.create_job("small", notify=False)
        self.sandbox.put_tax_code("VAT12", "Reduced VAT 12%", 0.12)
        self.check()
        counts = self.sandbox.request_counts()["counts"]
        self.assertTrue(counts)
        self.assertEqual(self.write_calls(), {})
        # Pleo's own reads that are POSTs (searches) are the only non-GETs.
        self.assertEqual(
            {route.split()[0] for route in counts if not route.endswith(READ_ROUTES)},
            {"GET"},
        )
        self.assertEqual(self.sandbox_job(job["id"])["status"], "pending")
        self.assertFalse(self.moves())

    # -- tax codes and taxes ---------------------------------------------------
    def test_pleo_tax_code_without_odoo_tax(self):
        self.sandbox.put_tax_code("VAT12", "Reduced VAT 12%", 0.12)
        check = self.check()
        line = self.assertFinding(check, "tax_codes", "red", "VAT12")
        self.assertIn("12%", line.detail)
        action = line.action_fix()
        self.assertEqual(action["res_model"], "account.tax")
        # The export's rule: a tax of the same name answers to it.
        self.taxes["VAT25"].copy({"name": "VAT12", "pleo_code": False})
        self.assertFalse(self.lines(self.check(), "tax_codes", "red"))

    def test_odoo_taxes_with_the_same_name_or_code(self):
        # Odoo refuses two purchase taxes of one name; the export also reads
        # taxes of no type.
        twin = {"name": "Twin 10%", "pleo_code": False, "amount": 10}
        self.taxes["VAT25"].copy(twin)
        self.taxes["VAT25"].copy(dict(twin, type_tax_use="none"))
        check = self.check()
        line = self.assertFinding(check, "tax_names", "amber", "Twin 10%")
        self.assertEqual(
            len(self.env["account.tax"].search(line.action_fix()["domain"])), 2
        )
        # Two taxes carrying a code Pleo uses: the export picks one of them.
        self.taxes["VAT19"].copy({"name": "Another VAT25", "pleo_code": "VAT25"})
        self.assertFinding(self.check(), "tax_names", "red", "VAT25")

    # -- accounts --------------------------------------------------------------
    def test_pleo_account_unknown_to_odoo(self):
        self.sandbox.put_account("699999", "Consulting")
        line = self.assertFinding(self.check(), "accounts", "red", "699999")
        self.assertIn("does not exist", line.title)
        self.assertEqual(line.action_fix()["res_model"], "account.account")

    def test_pleo_account_closed_in_odoo(self):
        self.close_account(self.acc["600000"])
        line = self.assertFinding(self.check(), "accounts", "red", "600000")
        self.assertIn("closed", line.title)
        self.assertEqual(line.action_fix()["res_id"], self.acc["600000"].id)

    def test_connection_account_closed_in_odoo(self):
        self.close_account(self.acc["230000"])  # the out-of-pocket account
        lines = self.assertFinding(self.check(), "accounts", "red", "230000")
        self.assertIn("Out-of-Pocket", " ".join(lines.mapped("title")))

    # -- contra accounts, wallets, currencies ------------------------------------
    def test_pleo_contra_account_is_a_bank_journal_account(self):
        bank = self.company_data["default_journal_bank"]
        self.sandbox.put_account(bank.default_account_id.code, contra=True)
        line = self.assertFinding(self.check(), "contra", "red", bank.name)
        self.assertIn("statement", line.detail)
        self.assertEqual(line.action_fix()["res_id"], bank.id)

    def test_connection_contra_account_is_a_bank_journal_account(self):
        bank = self.company_data["default_journal_bank"]
        self.connection.export_contra_account_id = bank.default_account_id
        line = self.assertFinding(self.check(), "contra", "red", "connection")
        self.assertEqual(line.action_fix()["res_model"], "pleo.connection")

    def test_wallet_currency_without_account(self):
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.env.ref("base.EUR").id,
                "name": "2000-01-01",
                "rate": 0.134,
                "company_id": self.company.id,
            }
        )
        self.new_job(["eur_wallet_card_eur"])
        line = self.assertFinding(self.check(), "wallets", "red", "EUR")
        self.assertIn("Wallet Accounts", line.detail)
        # The company's wallet without its own account books on Pleo's contra.
        self.connection.export_wallet_ids.unlink()
        self.connection.export_contra_account_id = self.acc["201100"]
        self.new_job(["card_meal_dkk"])
        self.assertFinding(self.check(), "wallets", "amber", "DKK")

    def test_no_wallet_account_nor_contra_account(self):
        self.connection.export_wallet_ids.unlink()
        self.new_job(["card_meal_dkk"])
        check = self.check()
        self.assertFinding(check, "wallets", "red")
        # The export's own pre-export check fails the pending job.
        self.assertFinding(check, "pending_jobs", "red")

    def test_currency_inactive(self):
        self.env.ref("base.GBP").active = False
        self.new_job(["card_conference_gbp"])
        line = self.assertFinding(self.check(), "currencies", "red", "GBP")
        self.assertEqual(line.action_fix()["res_id"], self.env.ref("base.GBP").id)

    def test_wallet_currency_without_rate(self):
        eur = self.env.ref("base.EUR")
        self.connection.export_wallet_ids = [
            Command.create({"currency_id": eur.id, "account_id": self.acc["201100"].id})
        ]
        self.env["res.currency.rate"].search([("currency_id", "=", eur.id)]).unlink()
        self.new_job(["eur_wallet_card_eur"])
        self.assertFinding(self.check(), "currencies", "red", "EUR")
        self.env["res.currency.rate"].create(
            {"currency_id": eur.id, "name": "2000-01-01", "rate": 0.134}
        )
        self.assertFalse(self.lines(self.check(), "currencies", "red"))

    # -- periods and journals --------------------------------------------------
    def test_lock_date_after_pending_items(self):
        self.sandbox.create_job("small", notify=False)
        self.company.fiscalyear_lock_date = fields.Date.context_today(self.company)
        line = self.assertFinding(self.check(), "lock_date", "amber")
        self.assertIn("first open date", line.detail)
        self.connection.export_closed_period = "fail"
        line = self.assertFinding(self.check(), "lock_date", "red")
        self.assertIn("will fail", line.detail)

    def test_journals_missing(self):
        self.new_job(["invoice_rent_dkk"])  # vendor-based: bills need a journal
        self.connection.write(
            {"export_journal_id": False, "export_purchase_journal_id": False}
        )
        check = self.check()
        self.assertFinding(check, "journals", "red", "No Pleo journal")
        self.assertFinding(check, "journals", "red", "No vendor bills journal")
        line = self.assertFinding(check, "pending_jobs", "red")
        self.assertIn("Journal missing", line.detail)

    # -- scheduled actions, webhooks, authorisation ------------------------------
    def test_scheduled_action_inactive(self):
        cron = self.env.ref("pleo_connector.ir_cron_pleo_export").sudo()
        cron.active = False
        line = self.assertFinding(self.check(), "crons", "red", cron.name)
        self.assertEqual(line.action_fix()["res_id"], cron.id)
        # An accountant may not open scheduled actions: told whom to ask.
        line = self.lines(self.check(user=self.accountant), "crons", "red")
        with self.assertRaises(UserError) as refused:
            line.with_user(self.accountant).action_fix()
        self.assertIn("administrator", str(refused.exception))

    def test_webhooks_not_registered(self):
        self.connection.action_pleo_unregister_webhooks()
        line = self.assertFinding(self.check(user=self.accountant), "webhooks", "amber")
        self.assertEqual(line.fix_method, "action_pleo_register_webhooks")
        self.sandbox.state.requests.reset()
        with self.assertRaises(AccessError):
            line.with_user(self.accountant).action_fix()  # a manager registers
        self.assertEqual(self.sandbox.request_counts()["total"], 0)
        self.lines(self.check(), "webhooks").action_fix()
        self.assertFinding(self.check(), "webhooks", "green")

    def test_webhook_subscription_gone_or_switched_off(self):
        subscriptions = self.sandbox.state.subscriptions.subscriptions
        sub = subscriptions[self.connection.webhook_subscription_id]
        sub["status"] = "INACTIVE"
        self.assertFinding(self.check(), "webhooks", "red", "INACTIVE")
        del subscriptions[sub["id"]]
        self.assertFinding(self.check(), "webhooks", "red", "no longer")

    def test_webhook_last_delivery_long_ago(self):
        event = self.env["pleo.webhook.event"].create(
            {"connection_id": self.connection.id, "webhook_id": "msg_old"}
        )
        long_ago = fields.Datetime.now() - timedelta(days=3)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE pleo_webhook_event SET create_date = %s WHERE id = %s",
            [long_ago, event.id],
        )
        event.invalidate_recordset()
        self.env["pleo.export.job"].create(
            {
                "connection_id": self.connection.id,
                "pleo_job_id": "polled-job",
                "pleo_created_at": fields.Datetime.now(),
            }
        )
        line = self.assertFinding(self.check(), "webhooks", "amber", "No webhook")
        self.assertIn("polling", line.detail)

    def test_api_key_refused(self):
        self.connection.sudo().api_key = "not-the-key"
        check = self.check()
        line = self.assertFinding(check, "authorisation", "red", "API key")
        self.assertIn("401", line.detail)
        self.assertTrue(self.lines(check, "tax_codes", "amber"))  # not checked

    def test_authorisation_revoked(self):
        self.connection._pleo_set_tokens({"revoked_reason": "invalid_grant"})
        self.connection.sudo().state = "reauth"
        line = self.assertFinding(self.check(), "authorisation", "red")
        self.assertIn("invalid_grant", line.detail)
        self.assertEqual(self.sandbox.request_counts()["total"], 0)

    def test_refresh_token_close_to_expiry(self):
        token = self._sandbox_oauth_token()
        self.connection.sudo().write(
            {
                "auth_method": "oauth",
                "client_id": self.sandbox.client_id,
                "client_secret": self.sandbox.client_secret,
                "access_token": token["access_token"],
                "refresh_token": token["refresh_token"],
                "token_expires_at": int(time.time()) + 600,
            }
        )
        self.assertFinding(self.check(), "authorisation", "green")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE pleo_connection_token SET write_date = %s WHERE connection_id = %s",
            [fields.Datetime.now() - timedelta(days=50), self.connection.id],
        )
        self.env.invalidate_all()
        line = self.assertFinding(self.check(), "authorisation", "amber", "50 days")
        self.assertEqual(line.fix_method, "action_pleo_test_connection")
        self.assertEqual(self.write_calls(), {})

    def _sandbox_oauth_token(self):
        """A real token pair from the sandbox's consent and token endpoints."""
        oauth = PleoOAuth(
            self.sandbox.client_id,
            self.sandbox.client_secret,
            self.sandbox.url,
            "http://localhost/pleo/oauth/callback",
        )
        verifier = PleoOAuth.new_code_verifier()
        consent = requests.get(
            oauth.authorization_url("s", verifier), allow_redirects=False, timeout=10
        )
        code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
        token = oauth.fetch_token(code, verifier)
        self.sandbox.state.requests.reset()
        return token

    def test_first_sync_waits_for_its_preview(self):
        self.connection.integration_level = "2"
        self.env.ref("pleo_connector.ir_cron_pleo_sync_tags").sudo().active = True
        line = self.assertFinding(self.check(), "first_sync", "amber")
        self.assertEqual(line.fix_method, "action_pleo_sync_preview")

    # -- who runs it, where it shows ---------------------------------------------
    def test_an_accountant_can_run_it(self):
        self.sandbox.create_job("small", notify=False)
        self.sandbox.put_tax_code("VAT12", "Reduced VAT 12%", 0.12)
        check = self.check(user=self.accountant)
        self.assertEqual(check.create_uid, self.accountant)
        line = self.assertFinding(check, "tax_codes", "red", "VAT12")
        action = line.with_user(self.accountant).action_fix()
        self.assertEqual(action["res_model"], "account.tax")
        rerun = check.with_user(self.accountant).action_rerun()
        self.assertNotEqual(rerun["res_id"], check.id)
        self.assertEqual(self.write_calls(), {})
        # Nobody outside accounting: refused before Pleo hears anything.
        clerk = new_test_user(
            self.env, login="pleo_check_clerk", groups="base.group_user"
        )
        self.sandbox.state.requests.reset()
        with self.assertRaises(AccessError):
            self.check(user=clerk)
        self.assertEqual(self.sandbox.request_counts()["total"], 0)

    def test_setup_wizard_last_step_shows_the_check(self):
        wizard = self.env["pleo.setup.wizard"].create(
            {
                "connection_id": self.connection.id,
                "company_id": self.company.id,
                "step": "level",
                "integration_level": "1",
            }
        )
        wizard.action_check_configuration()
        self.assertTrue(wizard.config_check_id)
        self.assertEqual(wizard.config_check_state, "green")
        self.assertEqual(wizard.config_check_line_ids, wizard.config_check_id.line_ids)
        arch = self.env["pleo.setup.wizard"].get_view(view_type="form")["arch"]
        self.assertIn("action_check_configuration", arch)
        self.assertIn("config_check_line_ids", arch)


RANK = {"green": 0, "amber": 1, "red": 2}.__getitem__
