# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who sees what: secrets, companies, access rights of every Pleo model."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

SECRET_FIELDS = (
    "client_id",
    "client_secret",
    "api_key",
    "access_token",
    "refresh_token",
    "token_expires_at",
    "oauth_code_verifier",
    "webhook_secret",
    "webhook_token",
)


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Pleo B Company"})
        Connection = cls.env["pleo.connection"]
        cls.conn_a = Connection.create(
            {
                "name": "Pleo A",
                "company_id": cls.company_a.id,
                "environment": "custom",
                "custom_url": "http://127.0.0.1:9",
                "access_token": "secret-access-a",
                "refresh_token": "secret-refresh-a",
                "api_key": "secret-key-a",
            }
        )
        cls.conn_b = Connection.create(
            {"name": "Pleo B", "company_id": cls.company_b.id}
        )
        cls.billing_user = new_test_user(
            cls.env, login="pleo_billing", groups="account.group_account_invoice"
        )
        cls.accountant = new_test_user(
            cls.env, login="pleo_accountant", groups="account.group_account_user"
        )
        cls.acc_manager = new_test_user(
            cls.env, login="pleo_acc_manager", groups="account.group_account_manager"
        )
        cls.accountant_b = new_test_user(
            cls.env,
            login="pleo_accountant_b",
            groups="account.group_account_user",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def test_billing_user_cannot_read_connection_or_tokens(self):
        conn = self.conn_a.with_user(self.billing_user)
        with self.assertRaises(AccessError):
            conn.read(["name"])
        with self.assertRaises(AccessError):
            conn.read(["access_token"])

    def test_accountants_never_read_secrets(self):
        for user in (self.accountant, self.acc_manager):
            conn = self.conn_a.with_user(user)
            self.assertEqual(conn.read(["name"])[0]["name"], "Pleo A")
            for field in SECRET_FIELDS:
                with self.assertRaises(AccessError, msg=f"{user.login} {field}"):
                    conn.read([field])
            # The form they open does not even carry the secret fields.
            views = conn.get_views([(False, "form")])
            fields = views["models"]["pleo.connection"]["fields"]
            self.assertFalse(set(SECRET_FIELDS) & set(fields), user.login)
        admin_views = self.conn_a.get_views([(False, "form")])
        admin_fields = admin_views["models"]["pleo.connection"]["fields"]
        self.assertIn("api_key", admin_fields)

    def test_accountant_cannot_change_connection(self):
        with self.assertRaises(AccessError):
            self.conn_a.with_user(self.accountant).write({"integration_level": "2"})
        self.conn_a.with_user(self.acc_manager).write({"integration_level": "2"})
        self.assertEqual(self.conn_a.integration_level, "2")

    def test_secret_fields_are_admin_only_and_untracked(self):
        fields = self.env["pleo.connection"]._fields
        for name in SECRET_FIELDS:
            self.assertEqual(fields[name].groups, "base.group_system", name)
            self.assertFalse(getattr(fields[name], "tracking", False), name)
        wizard_fields = self.env["pleo.setup.wizard"]._fields
        for name in ("client_id", "client_secret", "api_key"):
            self.assertEqual(wizard_fields[name].groups, "base.group_system", name)

    def test_company_b_user_sees_only_company_b(self):
        Connection = self.env["pleo.connection"].with_user(self.accountant_b)
        self.assertEqual(Connection.search([]), self.conn_b)
        with self.assertRaises(AccessError):
            self.conn_a.with_user(self.accountant_b).read(["name"])
        if "pleo.export.job" not in self.env:
            return
        job_a = self.env["pleo.export.job"].create(
            {"connection_id": self.conn_a.id, "pleo_job_id": "job-a"}
        )
        job_b = self.env["pleo.export.job"].create(
            {"connection_id": self.conn_b.id, "pleo_job_id": "job-b"}
        )
        Item = self.env["pleo.export.item"]
        item_a = Item.create({"job_id": job_a.id, "accounting_entry_id": "entry-a"})
        item_b = Item.create({"job_id": job_b.id, "accounting_entry_id": "entry-b"})
        jobs = self.env["pleo.export.job"].with_user(self.accountant_b).search([])
        self.assertEqual(jobs, job_b)
        items = Item.with_user(self.accountant_b).search([])
        self.assertEqual(items, item_b)
        with self.assertRaises(AccessError):
            item_a.with_user(self.accountant_b).read(["state"])
        # The accountant of company A sees A's queue, not B's.
        self.assertEqual(
            self.env["pleo.export.job"].with_user(self.accountant).search([]), job_a
        )

    def test_every_pleo_model_has_access_rights_and_company_rules(self):
        models = self.env["ir.model"].search([("model", "=like", "pleo.%")])
        self.assertIn("pleo.setup.wizard", models.mapped("model"))
        for model in models:
            Model = self.env[model.model]
            if Model._abstract:
                continue
            access = self.env["ir.model.access"].search([("model_id", "=", model.id)])
            self.assertTrue(access, f"{model.model} has no access rights")
            self.assertFalse(
                access.filtered(lambda a: not a.group_id),
                f"{model.model} is open to every user",
            )
            if Model._transient or "company_id" not in Model._fields:
                continue
            rules = self.env["ir.rule"].search([("model_id", "=", model.id)])
            self.assertTrue(
                rules.filtered(lambda r: "company_ids" in (r.domain_force or "")),
                f"{model.model} has no company rule",
            )

    def test_plain_users_get_no_pleo_group(self):
        self.assertFalse(self.billing_user.has_group("pleo_connector.group_pleo_user"))
        self.assertTrue(self.accountant.has_group("pleo_connector.group_pleo_user"))
        self.assertFalse(self.accountant.has_group("pleo_connector.group_pleo_manager"))
        self.assertTrue(self.acc_manager.has_group("pleo_connector.group_pleo_manager"))
