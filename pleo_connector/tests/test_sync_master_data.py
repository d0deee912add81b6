# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Levels 2-4 against the sandbox: first sync, no-change resync, single changes,
levels, multi-company and records Pleo already holds."""

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .. import compat
from .common_sync import PleoSyncCase


@tagged("post_install", "-at_install")
class TestSyncMasterData(PleoSyncCase):
    def test_first_sync_fills_pleo_with_exactly_the_odoo_records(self):
        logs = self.sync_all()
        for kind, log in logs.items():
            self.assertEqual(log.state, "done", f"{kind}: {log.message}")
        snap = self.pleo()
        # Tags: one group per selected plan, one tag per analytic account of the
        # plan and its sub-plans; inactive accounts are not created.
        self.assertEqual(
            {g["code"]: (g["name"], g["archived"]) for g in snap["groups"]},
            {
                f"PLAN{self.plan_dept.id}": ("Department", False),
                f"PLAN{self.plan_proj.id}": ("Project", False),
            },
        )
        self.assertEqual(
            self.tags_of(self.plan_dept),
            {"SALES": "Sales", "RND": "Research", f"AA{self.aa_team.id}": "Team North"},
        )
        self.assertEqual(self.tags_of(self.plan_proj), {"P-ALPHA": "Project Alpha"})
        self.assertEqual(logs["tags"].count_created, 6)
        # Tax codes: every purchase tax of the company with a rate.
        taxes = self.expected_taxes()
        by_code = {t["code"]: t for t in snap["tax_codes"]}
        self.assertEqual(set(by_code), {f"TAX{t.id}" for t in taxes})
        rc = by_code[f"TAX{self.reverse_tax.id}"]
        self.assertEqual(rc["type"], "reverse")
        self.assertEqual(rc["rate"], 0.25)
        self.assertEqual(rc["ingoingTaxAccount"], "131999")
        self.assertEqual(rc["outgoingTaxAccount"], "251999")
        normal = next(t for t in taxes if t != self.reverse_tax)
        self.assertEqual(by_code[f"TAX{normal.id}"]["type"], "inclusive")
        self.assertAlmostEqual(by_code[f"TAX{normal.id}"]["rate"], normal.amount / 100)
        # Accounts: the expense accounts, keyed by id, with their purchase tax.
        accounts = self.expected_accounts()
        self.assertTrue(accounts)
        pleo_accounts = {a["externalId"]: a for a in snap["accounts"]}
        self.assertEqual(set(pleo_accounts), {str(a.id) for a in accounts})
        with_tax = accounts.filtered(
            lambda a: a.tax_ids.filtered(lambda t: t.type_tax_use == "purchase")
        )[:1]
        if with_tax:
            tax = with_tax.tax_ids.filtered(lambda t: t.type_tax_use == "purchase")
            tax = tax.sorted("sequence")[:1]
            self.assertEqual(
                pleo_accounts[str(with_tax.id)]["taxCodeExternalId"], f"TAX{tax.id}"
            )
        account = accounts[0]
        self.assertEqual(pleo_accounts[str(account.id)]["code"], account.code)
        self.assertEqual(pleo_accounts[str(account.id)]["name"], account.name)
        # First account sync goes through the batch endpoint.
        routes = self.routes()
        self.assertEqual(routes.get("POST /v1/chart-of-accounts/batch"), 1)
        self.assertNotIn("POST /v1/chart-of-accounts", routes)
        # Vendors: suppliers only, keyed by partner id, code = ref or id.
        vendors = {v["externalId"]: v for v in snap["vendors"]}
        self.assertEqual(set(vendors), {str(p.id) for p in self.expected_vendors()})
        self.assertNotIn(str(self.customer.id), vendors)
        kontor = vendors[str(self.vendor_dk.id)]
        self.assertEqual(
            (
                kontor["name"],
                kontor["code"],
                kontor["country"],
                kontor["taxRegistrationNumber"],
                kontor["registrationNumber"],
                kontor["defaultCurrency"],
                kontor["state"],
            ),
            (
                "Kontorhotellet ApS",
                "V-KONTOR",
                "DK",
                "DK12345678",
                "12345678",
                self.company.currency_id.name,
                "ACTIVE",
            ),
        )
        self.assertEqual(
            vendors[str(self.vendor_ie.id)]["code"], str(self.vendor_ie.id)
        )
        # Bindings remember every pushed record.
        Binding = self.env["pleo.binding"]
        self.assertEqual(
            Binding.search_count(
                [("connection_id", "=", self.connection.id), ("pleo_kind", "=", "tag")]
            ),
            4,
        )

    def test_second_sync_without_change_makes_no_write_call(self):
        self.sync_all()
        self.reset_requests()
        logs = self.sync_all()
        self.assertEqual(self.write_calls(), {})
        for log in logs.values():
            self.assertEqual(
                (log.count_created, log.count_updated, log.count_archived), (0, 0, 0)
            )
        self.assertEqual(logs["tags"].count_unchanged, 6)

    def test_rename_archive_and_new_record_make_one_call_each(self):
        self.sync_all()
        # Rename a tag.
        self.reset_requests()
        self.aa_sales.name = "Sales and marketing"
        self.sync("tags")
        self.assertEqual(self.write_calls(), {"PUT /v0/tags/{tagId}": 1})
        self.assertEqual(self.tags_of(self.plan_dept)["SALES"], "Sales and marketing")
        # Archive a tag.
        self.reset_requests()
        self.aa_rnd.active = False
        self.sync("tags")
        self.assertEqual(self.write_calls(), {"POST /v0/tags/archive": 1})
        self.assertNotIn("RND", self.tags_of(self.plan_dept, archived=False))
        # A new analytic account.
        self.reset_requests()
        self.env["account.analytic.account"].create(
            {"name": "Project Beta", "code": "P-BETA", "plan_id": self.plan_proj.id}
        )
        self.sync("tags")
        self.assertEqual(self.write_calls(), {"POST /v0/tag-groups/{groupId}/tags": 1})
        # Rename an account, archive another, a new one.
        accounts = self.expected_accounts()
        self.reset_requests()
        accounts[0].name = "Renamed in Odoo"
        self.sync("tax_codes", "accounts")
        self.assertEqual(
            self.write_calls(), {"PUT /v1/chart-of-accounts/{accountId}": 1}
        )
        self.reset_requests()
        closed_field, closed = compat.account_closed_flag(accounts)
        accounts[1][closed_field] = closed
        self.sync("accounts")
        self.assertEqual(
            self.write_calls(), {"PUT /v1/chart-of-accounts/{accountId}": 1}
        )
        archived = next(
            a for a in self.pleo()["accounts"] if a["externalId"] == str(accounts[1].id)
        )
        self.assertTrue(archived["archived"])
        self.reset_requests()
        self.env["account.account"].with_company(self.company).create(
            {"code": "699001", "name": "Pleo cards", "account_type": "expense"}
        )
        self.sync("accounts")
        self.assertEqual(self.write_calls(), {"POST /v1/chart-of-accounts": 1})
        # Rename a tax, a vendor; a new vendor; an archived vendor.
        self.reset_requests()
        self.reverse_tax.name = "EU reverse charge (services)"
        self.sync("tax_codes")
        self.assertEqual(self.write_calls(), {"PUT /v0/tax-codes/{taxCodeId}": 1})
        self.reset_requests()
        self.vendor_dk.name = "Kontorhotellet A/S"
        self.sync("vendors")
        self.assertEqual(self.write_calls(), {"PUT /v1/vendors/{id}": 1})
        self.reset_requests()
        self.env["res.partner"].create(
            {"name": "New supplier", "supplier_rank": 1, "is_company": True}
        )
        self.sync("vendors")
        self.assertEqual(self.write_calls(), {"POST /v1/vendors": 1})
        self.reset_requests()
        self.vendor_ie.active = False
        self.sync("vendors")
        self.assertEqual(self.write_calls(), {"POST /v1/vendors/{id}:archive": 1})
        vendor = next(
            v
            for v in self.pleo()["vendors"]
            if v["externalId"] == str(self.vendor_ie.id)
        )
        self.assertEqual(vendor["state"], "ARCHIVED")

    def test_deselected_plan_and_deleted_account_are_archived(self):
        self.sync("tags")
        self.reset_requests()
        self.connection.pleo_analytic_plan_ids = [Command.unlink(self.plan_proj.id)]
        self.aa_team.unlink()
        self.sync("tags")
        snap = self.pleo()
        group = next(
            g for g in snap["groups"] if g["code"] == f"PLAN{self.plan_proj.id}"
        )
        self.assertTrue(group["archived"])
        self.assertNotIn(f"AA{self.aa_team.id}", self.tags_of(self.plan_dept, False))
        self.assertEqual(
            self.write_calls(),
            {"PUT /v0/tag-groups/{groupId}": 1, "POST /v0/tags/archive": 1},
        )
        # Selecting the plan again unarchives its group: one call.
        self.reset_requests()
        self.connection.pleo_analytic_plan_ids = [Command.link(self.plan_proj.id)]
        self.sync("tags")
        self.assertEqual(self.write_calls(), {"PUT /v0/tag-groups/{groupId}": 1})

    def test_changed_in_pleo_is_put_back_to_odoo_values(self):
        self.sync("tags")
        state = self.sandbox.state
        with state.lock:
            tag = next(t for t in state.tags.tags.values() if t["code"] == "SALES")
            tag["name"] = "Edited in Pleo"
        self.reset_requests()
        self.sync("tags")
        self.assertEqual(self.write_calls(), {"PUT /v0/tags/{tagId}": 1})
        self.assertEqual(self.tags_of(self.plan_dept)["SALES"], "Sales")

    def test_records_already_in_pleo_are_adopted_not_duplicated(self):
        """The sandbox's own master data (DEPT/PROJ groups, tags, tax codes,
        accounts) is what a company brings: the first sync adopts what matches
        (code, then name, any case) and archives nothing; Pleo's reconcile rule
        applies from the second sync on."""
        self.sandbox.reset(seed="none")
        state = self.sandbox.state
        with state.lock:
            dept = next(g for g in state.tags.groups.values() if g["code"] == "DEPT")
            proj = next(g for g in state.tags.groups.values() if g["code"] == "PROJ")
            dept["code"] = f"plan{self.plan_dept.id}"  # a key, another case
        logs = self.sync("tags", "tax_codes", "accounts")
        snap = self.pleo()
        by_id = {g["id"]: g for g in snap["groups"]}
        # Both groups adopted: DEPT by its code, PROJ by the plan's name "Project".
        self.assertEqual(len(snap["groups"]), 2, "no twin group was created")
        self.assertEqual(by_id[dept["id"]]["code"], f"plan{self.plan_dept.id}")
        self.assertEqual(by_id[proj["id"]]["code"], "PROJ", "Pleo's code is kept")
        self.assertFalse(any(g["archived"] for g in snap["groups"]))
        self.assertFalse(any(t["archived"] for t in snap["tags"]))
        self.assertFalse(any(t["archived"] for t in snap["tax_codes"]))
        self.assertFalse(any(log.count_archived for log in logs.values()))
        # Tags: SALES and RND adopted by code within the adopted group.
        self.assertEqual(
            set(self.tags_of(self.plan_dept)),
            {"SALES", "RND", "ADMIN", f"AA{self.aa_team.id}"},
        )
        self.assertEqual(len([t for t in snap["tags"] if t["code"] == "SALES"]), 1)

        # From the second sync on, what Odoo does not know is archived.
        self.sync("tags", "tax_codes", "accounts")
        snap = self.pleo()
        Binding = self.env["pleo.binding"]
        for kind, rows in (("tag", snap["tags"]), ("tax_code", snap["tax_codes"])):
            bound = set(Binding.search([("pleo_kind", "=", kind)]).mapped("pleo_id"))
            unknown = [r for r in rows if r["id"] not in bound]
            self.assertTrue(unknown, kind)
            self.assertTrue(all(r["archived"] for r in unknown), kind)
        self.assertIn("ADMIN", {t["code"] for t in snap["tags"] if t["archived"]})
        # Binding lost: the next sync re-links by key instead of creating twins.
        self.env["pleo.binding"].search([]).unlink()
        self.reset_requests()
        self.sync("tags", "tax_codes", "accounts")
        self.assertEqual(self.write_calls(), {})

    def test_a_plan_named_like_a_group_code_adopts_that_group(self):
        """The export reads a tag group's code as the name of its plan: a plan
        called "proj" is Pleo's group PROJ (any case), not a new group."""
        self.sandbox.reset(seed="none")
        self.plan_proj.name = "proj"
        self.sync("tags")
        groups = self.pleo()["groups"]
        self.assertEqual(sorted(g["code"] for g in groups), ["DEPT", "PROJ"])
        binding = self.env["pleo.binding"].search(
            [("pleo_kind", "=", "tag_group"), ("res_id", "=", self.plan_proj.id)]
        )
        proj = next(g for g in groups if g["code"] == "PROJ")
        self.assertEqual(binding.pleo_id, proj["id"])
        self.assertEqual(proj["name"], "proj")  # Odoo's name is pushed

    def test_level_two_connection_only_syncs_tags(self):
        self.connection.integration_level = "2"
        for kind in ("tags", "tax_codes", "accounts", "vendors"):
            self.env["pleo.connection"]._cron_pleo_sync(kind)
        routes = self.routes()
        self.assertTrue(routes)
        self.assertTrue(all("/v0/tag" in route for route in routes), routes)
        with self.assertRaises(UserError):
            self.connection.action_sync_accounts()
        with self.assertRaises(UserError):
            self.connection.action_sync_vendors()
        action = self.connection.action_sync_tags()
        self.assertEqual(action["params"]["type"], "success")

    def test_other_company_records_stay_out(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self.env["res.partner"].create(
            {"name": "Their supplier", "supplier_rank": 1, "company_id": other.id}
        )
        self.env["account.analytic.account"].create(
            {
                "name": "Their project",
                "code": "THEIRS",
                "plan_id": self.plan_proj.id,
                "company_id": other.id,
            }
        )
        self.sync_all()
        snap = self.pleo()
        self.assertNotIn("Their supplier", {v["name"] for v in snap["vendors"]})
        self.assertNotIn("THEIRS", self.tags_of(self.plan_proj))
        other_taxes = {f"TAX{t.id}" for t in self.expected_taxes(other)}
        self.assertFalse(other_taxes & {t["code"] for t in snap["tax_codes"]})
        other_accounts = self.expected_accounts(other) - self.expected_accounts()
        self.assertFalse(
            {str(a.id) for a in other_accounts}
            & {a["externalId"] for a in snap["accounts"]}
        )

    def test_duplicate_code_is_reported_not_sent(self):
        self.env["account.analytic.account"].create(
            {"name": "Sales twin", "code": "sales", "plan_id": self.plan_dept.id}
        )
        self.sync("tags")
        self.reset_requests()
        log = self.sync("tags")["tags"]
        self.assertEqual(log.state, "partial")
        self.assertEqual(log.count_failed, 1)
        self.assertIn("Sales twin", log.message)
        self.assertEqual(self.write_calls(), {})

    def test_at_most_five_plans(self):
        plans = self.env["account.analytic.plan"].create(
            [{"name": f"Plan {i}"} for i in range(6)]
        )
        with self.assertRaises(ValidationError):
            self.connection.pleo_analytic_plan_ids = [Command.set(plans.ids)]

    def test_pleo_failure_is_logged_and_the_rest_goes_on(self):
        self.sync("tax_codes")
        self.sandbox.add_fault(
            method="POST", path="/v1/chart-of-accounts/batch", status=500, count=10
        )
        log = self.sync("accounts")["accounts"]
        self.assertEqual(log.state, "failed")
        self.assertTrue(log.message)
        self.sandbox.clear_faults()
        log = self.sync("accounts")["accounts"]
        self.assertEqual(log.state, "done")
        self.assertEqual(len(self.pleo()["accounts"]), len(self.expected_accounts()))
