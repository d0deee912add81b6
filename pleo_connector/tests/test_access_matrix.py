# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every public method of the addon, called as every kind of user.

A refused call raises AccessError and sends nothing to Pleo (the sandbox counts
every request it serves); an allowed one passes the check, and the methods that
talk to Pleo are seen to do so. A public method that this matrix does not name
fails `test_every_public_method_is_in_the_matrix`.
"""

import inspect

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..pleo import errors
from .common_setup import SandboxMixin

PORTAL, INTERNAL, BILLING = "portal", "internal", "billing"
ACCOUNTANT, MANAGER, OTHER_COMPANY, ADMIN = (
    "accountant",
    "acc_manager",
    "other_company_manager",
    "admin",
)
EVERYONE = (PORTAL, INTERNAL, BILLING, ACCOUNTANT, MANAGER, OTHER_COMPANY, ADMIN)
READERS = {ACCOUNTANT, MANAGER, ADMIN}
MANAGERS = {MANAGER, ADMIN}
SYSTEM = {ADMIN}

# (model, method) -> who may call it on company A's records.
MATRIX = {
    ("pleo.connection", "action_pleo_oauth_start"): SYSTEM,
    ("pleo.connection", "action_pleo_disconnect"): SYSTEM,
    ("pleo.connection", "action_pleo_test_connection"): MANAGERS,
    # Local only: the responsible accountant closes what was assigned to them.
    ("pleo.connection", "action_pleo_mark_resolved"): READERS,
    ("pleo.connection", "action_pleo_open_setup"): MANAGERS,
    ("pleo.connection", "action_pleo_register_webhooks"): MANAGERS,
    ("pleo.connection", "action_pleo_unregister_webhooks"): MANAGERS,
    ("pleo.connection", "action_sync_tags"): MANAGERS,
    ("pleo.connection", "action_sync_tax_codes"): MANAGERS,
    ("pleo.connection", "action_sync_accounts"): MANAGERS,
    ("pleo.connection", "action_sync_vendors"): MANAGERS,
    ("pleo.connection", "action_pleo_sync_preview"): MANAGERS,
    ("pleo.sync.preview", "action_confirm"): MANAGERS,
    ("pleo.connection", "action_pleo_create_export_journal"): MANAGERS,
    ("pleo.connection", "action_pleo_export_sync_now"): MANAGERS,
    ("pleo.connection", "action_pleo_open_export_jobs"): READERS,
    ("pleo.connection", "action_pleo_open_export_items"): READERS,
    ("pleo.connection", "action_pleo_open_failed_items"): READERS,
    ("pleo.connection", "action_pleo_open_moves"): READERS,
    ("pleo.connection", "action_pleo_open_bindings"): READERS,
    ("pleo.connection", "action_pleo_open_sync_logs"): READERS,
    # Read calls only, to Pleo and in Odoo: an accountant may check.
    ("pleo.connection", "action_pleo_check_configuration"): READERS,
    ("pleo.config.check", "action_rerun"): READERS,
    # Opens what fixes a finding; what it opens keeps its own rights.
    ("pleo.config.check.line", "action_fix"): READERS,
    ("account.journal", "action_pleo_dashboard_failed"): READERS,
    ("account.journal", "action_pleo_dashboard_to_post"): READERS,
    ("pleo.export.job", "action_sync_now"): MANAGERS,
    ("pleo.export.job", "action_view_items"): READERS,
    ("pleo.export.item", "action_retry"): MANAGERS,
    ("pleo.export.item", "action_open_move"): READERS,
    ("pleo.setup.wizard", "action_connect_oauth"): SYSTEM,
    ("pleo.setup.wizard", "action_connect_api_key"): SYSTEM,
    ("pleo.setup.wizard", "action_test_connection"): MANAGERS,
    ("pleo.setup.wizard", "action_back"): MANAGERS,
    ("pleo.setup.wizard", "action_finish"): MANAGERS,
    ("pleo.setup.wizard", "action_check_configuration"): MANAGERS,
    # Odoo lets only administrators open the settings at all.
    ("res.config.settings", "action_pleo_open_connection"): SYSTEM,
    ("res.config.settings", "action_pleo_setup"): SYSTEM,
}
# Methods whose allowed call must reach Pleo (proof the check lets it through).
CALLS_PLEO = {
    "action_pleo_test_connection",
    "action_pleo_register_webhooks",
    "action_sync_tags",
    "action_sync_vendors",
    "action_pleo_export_sync_now",
    "action_pleo_sync_preview",
    "action_pleo_check_configuration",
    "action_rerun",
    "action_check_configuration",
}
# Public methods the addon overrides on Odoo's models keep Odoo's own checks.
ODOO_METHODS = {"create", "write", "unlink", "copy", "read", "default_get"}


def _addon_public_methods(registry):
    """(model, name) of every public method the addon itself adds."""
    found = set()
    for model_name, cls in registry.items():
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or name in ODOO_METHODS:
                continue
            if not member.__module__.startswith("odoo.addons.pleo_connector"):
                continue
            # An override of a method Odoo or another addon defines keeps theirs.
            outside = [
                klass
                for klass in cls.__mro__[1:]
                if name in vars(klass)
                and not klass.__module__.startswith("odoo.addons.pleo_connector")
                and klass.__module__.startswith("odoo.addons.")
            ]
            if not outside:
                found.add((model_name, name))
    return found


@tagged("post_install", "-at_install")
class TestAccessMatrix(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Pleo Matrix B"})
        cls.connection = cls.env["pleo.connection"].create(
            cls._api_key_vals(integration_level="4")
        )
        cls.connection.sudo().state = "connected"
        job = cls.env["pleo.export.job"].create(
            {"connection_id": cls.connection.id, "pleo_job_id": "matrix-job"}
        )
        cls.item = cls.env["pleo.export.item"].create(
            {"job_id": job.id, "accounting_entry_id": "matrix-item", "state": "failed"}
        )
        cls.job = job
        cls.journal = cls.env["account.journal"].create(
            {"name": "Pleo", "code": "PLEOM", "type": "general"}
        )
        cls.connection.export_journal_id = cls.journal
        groups = {
            PORTAL: "base.group_portal",
            INTERNAL: "base.group_user",
            BILLING: "account.group_account_invoice",
            ACCOUNTANT: "account.group_account_user",
            MANAGER: "account.group_account_manager",
            ADMIN: "account.group_account_manager,base.group_system",
        }
        cls.users = {
            kind: new_test_user(cls.env, login=f"matrix_{kind}", groups=group)
            for kind, group in groups.items()
        }
        cls.users[OTHER_COMPANY] = new_test_user(
            cls.env,
            login="matrix_other_company",
            groups="account.group_account_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def _records(self, model, user):
        """The records `model`'s method is called on, as `user`."""
        if model == "pleo.connection":
            return self.connection.with_user(user)
        if model == "pleo.export.job":
            return self.job.with_user(user)
        if model == "pleo.export.item":
            return self.item.with_user(user)
        if model == "account.journal":
            return self.journal.with_user(user)
        # Transient records belong to their creator: each user gets their own.
        if model == "pleo.config.check.line":
            check = self._records("pleo.config.check", user)
            vals = {
                "check_id": check.id,
                "severity": "red",
                "title": "Pleo tax code X has no Odoo tax",
                "fix_model": "account.tax",
                "fix_domain": '[["type_tax_use", "=", "purchase"]]',
            }
        elif model in ("pleo.sync.preview", "pleo.config.check"):
            vals = {"connection_id": self.connection.id}
        elif model == "pleo.setup.wizard":
            vals = {
                "connection_id": self.connection.id,
                "company_id": self.company_a.id,
                "auth_method": "api_key",
                "environment": "custom",
                "custom_url": self.sandbox.url,
            }
        else:
            vals = {"company_id": self.company_a.id}
        return self.env[model].with_user(user).sudo().create(vals).with_user(user)

    def _pleo_requests(self):
        return self.sandbox.request_counts()["total"]

    def _call(self, model, method, kind):
        """Call as `kind`; returns (refused, Pleo requests sent)."""
        user = self.users[kind]
        before = self._pleo_requests()
        refused = False
        with self.env.cr.savepoint(flush=False) as savepoint:
            try:
                records = self._records(model, user)
                getattr(records, method)()
            except AccessError:
                refused = True
            except (UserError, errors.PleoError):
                pass  # allowed, then stopped for a reason of its own
            savepoint.rollback()
        self.env.invalidate_all()
        return refused, self._pleo_requests() - before

    def test_every_public_method_is_in_the_matrix(self):
        missing = _addon_public_methods(self.registry) - set(MATRIX)
        self.assertFalse(missing, "public methods nobody decided about")

    def test_matrix(self):
        for (model, method), allowed in MATRIX.items():
            for kind in EVERYONE:
                with self.subTest(method=method, user=kind):
                    refused, sent = self._call(model, method, kind)
                    if kind in allowed:
                        self.assertFalse(refused, "refused a user who may")
                        if method in CALLS_PLEO:
                            self.assertGreater(sent, 0, "allowed call reached Pleo")
                        self.sandbox.reset()
                    else:
                        self.assertTrue(refused, "allowed a user who may not")
                        self.assertEqual(sent, 0, "a refused call reached Pleo")

    def test_oauth_callback_is_for_administrators_only(self):
        for kind in (PORTAL, INTERNAL, BILLING, ACCOUNTANT, MANAGER, OTHER_COMPANY):
            with self.subTest(user=kind):
                login = self.users[kind].login
                self.authenticate(login, login)
                before = self._pleo_requests()
                response = self.url_open(
                    "/pleo/oauth/callback?code=stolen&state="
                    f'{{"id": {self.connection.id}, "csrf": "x"}}'
                )
                self.assertEqual(response.status_code, 403)
                self.assertEqual(self._pleo_requests(), before)
        self.authenticate(None, None)
        response = self.url_open(
            "/pleo/oauth/callback?code=stolen", allow_redirects=False
        )
        self.assertIn(response.status_code, (302, 303))  # to the login page
        self.assertIn("/web/login", response.headers["Location"])
