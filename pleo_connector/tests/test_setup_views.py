# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the connection form and the settings show, level by level."""

from lxml import etree

from odoo.tests import Form, tagged
from odoo.tests.common import TransactionCase

from .common_setup import visible_names

LEVELS = "1234"


@tagged("post_install", "-at_install")
class TestSetupViews(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection = cls.env["pleo.connection"].create({"name": "Pleo"})

    def _form_arch(self, model="pleo.connection"):
        return self.env[model].get_views([(False, "form")])["views"]["form"]["arch"]

    def test_higher_level_shows_everything_a_lower_one_does(self):
        arch = self._form_arch()
        shown = [
            visible_names(arch, {"integration_level": level, "state": "connected"})
            for level in LEVELS
        ]
        for lower, higher in zip(shown, shown[1:], strict=False):
            self.assertLessEqual(lower, higher)
        # Every part gated by the level is hidden at some level, shown at level 4.
        root = etree.fromstring(arch)
        gated = [
            node.get("name")
            for node in root.iter()
            if node.get("name") and "integration_level" in (node.get("invisible") or "")
        ]
        for name in gated:
            self.assertIn(name, shown[-1])
            self.assertTrue(any(name not in names for names in shown), name)
        self.assertIn("overview", shown[0])

    def test_wizard_fields_follow_the_level(self):
        """Each level shows its own settings and those below, nothing above."""
        wizard = self.env["pleo.setup.wizard"].create(
            {"step": "level", "connection_id": self.connection.id}
        )
        fields_by_level = {
            "1": ["export_journal_id", "export_posting", "export_closed_period"],
            "2": ["pleo_analytic_plan_ids", "pleo_archive_unmatched"],
            "3": ["pleo_account_domain", "pleo_tax_type_policy"],
        }
        with Form(wizard) as form:
            for level in LEVELS:
                form.integration_level = level
                for needed_at, names in fields_by_level.items():
                    for name in names:
                        hidden = form._get_modifier(name, "invisible")
                        self.assertEqual(
                            hidden, needed_at > level, f"{name} at level {level}"
                        )

    def test_wizard_connect_step_shows_only_the_chosen_method(self):
        wizard = self.env["pleo.setup.wizard"].create({"step": "connect"})
        with Form(wizard) as form:
            form.auth_method = "api_key"
            self.assertTrue(form._get_modifier("client_secret", "invisible"))
            self.assertFalse(form._get_modifier("api_key", "invisible"))
            self.assertFalse(form._get_modifier("pleo_company_id", "invisible"))
            self.assertTrue(form._get_modifier("export_journal_id", "invisible"))
            form.auth_method = "oauth"
            self.assertFalse(form._get_modifier("client_secret", "invisible"))
            self.assertTrue(form._get_modifier("api_key", "invisible"))
            form.environment = "production"
            self.assertTrue(form._get_modifier("custom_url", "invisible"))
            form.environment = "custom"
            self.assertFalse(form._get_modifier("custom_url", "invisible"))
            self.assertTrue(form._get_modifier("custom_url", "required"))
            form.custom_url = "http://127.0.0.1:8900"

    def test_settings_show_the_company_connection(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.pleo_connection_id, self.connection)
        self.assertEqual(settings.pleo_connection_state, "draft")
        action = settings.action_pleo_setup()
        self.assertEqual(action["res_model"], "pleo.setup.wizard")
        wizard = self.env["pleo.setup.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.connection_id, self.connection)
        self.assertEqual(wizard.step, "connect")
        arch = self._form_arch("res.config.settings")
        self.assertIn('name="pleo_setting_container"', arch)
        opened = settings.action_pleo_open_connection()
        self.assertEqual(opened["res_id"], self.connection.id)

    def test_settings_without_connection_start_the_wizard(self):
        self.connection.unlink()
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.pleo_connection_id)
        action = settings.action_pleo_open_connection()
        self.assertEqual(action["res_model"], "pleo.setup.wizard")
