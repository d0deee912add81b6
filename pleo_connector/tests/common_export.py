# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the export (Level 1) tests: a DKK company on the generic chart,
the sandbox's tax codes, tags and vendors mirrored in Odoo, and a live sandbox."""

import sys
from pathlib import Path

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon

try:
    from pleo_sandbox import SandboxServer, seed
except ImportError:  # repository not pip-installed: the sandbox sits beside the addon
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pleo_sandbox import SandboxServer, seed


class PleoExportCase(AccountTestInvoicingCommon):
    chart_template = "generic_coa"

    @classmethod
    def setup_independent_company(cls, **kwargs):
        dkk = cls.env.ref("base.DKK")
        dkk.active = True
        return super().setup_independent_company(currency_id=dkk.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.partner_id.tz = "Europe/Copenhagen"
        for code in ("EUR", "GBP", "JPY", "KWD"):
            cls.env.ref(f"base.{code}").active = True
        cls.sandbox = SandboxServer(port=0, seed="none", rate_limit=100000)
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        codes = (*seed.ACCOUNT_CODES, "211000")  # and the payable account
        accounts = (
            cls.env["account.account"]
            .with_company(cls.company)
            .search(
                [
                    *cls.env["account.account"]._check_company_domain(cls.company),
                    ("code", "in", codes),
                ]
            )
        )
        by_code = {account.code: account for account in accounts}
        cls.acc = {
            code: by_code.get(code, cls.env["account.account"]) for code in codes
        }
        missing = [c for c, a in cls.acc.items() if not a]
        assert not missing, f"generic chart lacks {missing}"
        cls.taxes = {
            "VAT25": cls._tax("VAT25", 25),
            "VAT19": cls._tax("VAT19", 19),
            "VAT20": cls._tax("VAT20", 20),
            "RC-EU": cls._tax("RC-EU", 25, reverse=True),
        }
        cls.analytic = {}
        for plan_name, tags in (
            ("DEPT", ("SALES", "RND", "ADMIN")),
            ("PROJ", ("P-ALPHA", "P-BETA")),
        ):
            plan = cls.env["account.analytic.plan"].create({"name": plan_name})
            for tag in tags:
                cls.analytic[tag] = cls.env["account.analytic.account"].create(
                    {"name": tag.title(), "code": tag, "plan_id": plan.id}
                )
        cls.adobe = cls.env["res.partner"].create(
            {"name": "Adobe Systems Software Ireland Ltd", "ref": "V-ADOBE"}
        )
        cls.kontor = cls.env["res.partner"].create(
            {"name": "Kontorhotellet ApS", "ref": "V-KONTOR"}
        )
        cls.connection = cls.env["pleo.connection"].create(
            {
                "name": "Pleo sandbox",
                "company_id": cls.company.id,
                "environment": "custom",
                "custom_url": cls.sandbox.url,
                "auth_method": "api_key",
                "api_key": cls.sandbox.api_key,
                "pleo_company_id": cls.sandbox.company_id,
                "state": "connected",
                "integration_level": "1",
                "export_out_of_pocket_account_id": cls.acc["230000"].id,
                "export_wallet_ids": [
                    Command.create(
                        {
                            "currency_id": cls.company.currency_id.id,
                            "account_id": cls.acc["201100"].id,
                        }
                    )
                ],
            }
        )

    @classmethod
    def _tax(cls, code, rate, reverse=False):
        def reps():
            lines = [
                Command.create({"repartition_type": "base", "factor_percent": 100}),
                Command.create(
                    {
                        "repartition_type": "tax",
                        "factor_percent": 100,
                        "account_id": cls.acc["131000"].id,
                    }
                ),
            ]
            if reverse:
                lines.append(
                    Command.create(
                        {
                            "repartition_type": "tax",
                            "factor_percent": -100,
                            "account_id": cls.acc["251000"].id,
                        }
                    )
                )
            return lines

        return cls.env["account.tax"].create(
            {
                "name": f"{rate}% purchase ({code})",
                "pleo_code": code,
                "amount": rate,
                "amount_type": "percent",
                "type_tax_use": "purchase",
                "company_id": cls.company.id,
                "invoice_repartition_line_ids": reps(),
                "refund_repartition_line_ids": reps(),
            }
        )

    def setUp(self):
        super().setUp()
        # Each test starts with an empty Pleo: no job of an earlier test.
        self.sandbox.reset("none")

    # -- helpers ---------------------------------------------------------------
    def new_job(self, kinds, vendor_based=True):
        return self.sandbox.create_job(
            list(kinds), notify=False, vendor_based=vendor_based
        )

    def run_export(self):
        return self.connection._pleo_export_run()

    def sandbox_job(self, job_id):
        return next(j for j in self.sandbox.jobs() if j["id"] == job_id)

    def reported(self, job_id):
        return self.sandbox.reported(job_id)

    def moves(self):
        return self.env["account.move"].search(
            [
                ("pleo_connection_id", "=", self.connection.id),
                ("pleo_accounting_entry_id", "!=", False),
            ],
            order="id",
        )

    def line(self, move, code):
        return move.line_ids.filtered(lambda x: x.account_id.code == code)

    def attachments(self, move):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
