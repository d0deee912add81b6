# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: sandbox export jobs booked in Odoo, reported back to the sandbox."""

import os
from datetime import datetime
from unittest.mock import patch

import pytz

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestExportBooking(PleoExportCase):
    def test_card_purchase_with_vat_tags_and_receipt(self):
        job = self.new_job(["card_meal_dkk"])
        self.assertEqual(self.run_export(), 1)
        move = self.moves()
        self.assertEqual(len(move), 1)
        self.assertEqual(move.move_type, "entry")
        self.assertEqual(move.journal_id, self.connection.export_journal_id)
        self.assertEqual(move.journal_id.code, "PLEO")
        self.assertEqual(move.state, "draft")
        expense = self.line(move, "962000")
        self.assertEqual((expense.debit, expense.credit), (276.0, 0.0))
        self.assertEqual(expense.tax_ids, self.taxes["VAT25"])
        self.assertEqual(
            expense.analytic_distribution,
            {str(self.analytic["SALES"].id): 100.0},
        )
        vat = self.line(move, "131000")
        self.assertEqual(vat.debit, 69.0)
        self.assertEqual(vat.tax_line_id, self.taxes["VAT25"])
        wallet = self.line(move, "201100")
        self.assertEqual(wallet.credit, 345.0)
        self.assertEqual(move.currency_id.name, "DKK")
        self.assertIn("Open in Pleo", str(move.narration))
        self.assertEqual(len(self.attachments(move)), 1)
        self.assertTrue(move.message_main_attachment_id)
        # Booked by the connector, not edited by a person.
        self.assertFalse(move.is_manually_modified)
        # Pleo's UTC time is 22:30 on the last day of a month: the date is the
        # company's (Copenhagen) date.
        entry = self.env["pleo.export.item"].search([("move_id", "=", move.id)])
        self.assertEqual(entry.state, "successful")
        payload_date = self.reported(job["id"])[0]
        self.assertEqual(payload_date["status"], "successful")
        self.assertEqual(payload_date["externalId"], str(move.id))
        self.assertTrue(
            payload_date["externalUrl"].endswith(f"/odoo/account.move/{move.id}")
        )
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        local = self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])
        self.assertEqual(local.state, "completed")
        self.assertEqual(local.successful_count, 1)

    def test_base_lines_carry_the_taxs_base_grid_as_on_odoos_own_bills(self):
        """A VAT report's base grids: the expense line of a Pleo entry is
        tagged as Odoo tags the product line of a bill with the same tax."""
        tax = self.taxes["VAT25"]
        Tag = self.env["account.account.tag"]
        country = self.company.account_fiscal_country_id or self.env.ref("base.dk")
        grids = {}
        for kind in ("invoice", "refund"):
            grids[kind] = Tag.create(
                {
                    "name": f"Base grid ({kind})",
                    "applicability": "taxes",
                    "country_id": country.id,
                }
            )
            tax[f"{kind}_repartition_line_ids"].filtered(
                lambda r: r.repartition_type == "base"
            ).tag_ids = grids[kind]
        self.new_job(["card_meal_dkk", "refund_dkk"])
        self.run_export()
        expenses = self.moves().line_ids.filtered(lambda line: line.tax_ids)
        self.assertEqual(len(expenses), 2)
        purchase = expenses.filtered(lambda line: line.debit)
        self.assertEqual(purchase.tax_tag_ids, grids["invoice"])
        self.assertEqual((expenses - purchase).tax_tag_ids, grids["refund"])
        wallet = self.line(purchase.move_id, "201100")
        self.assertFalse(wallet.tax_tag_ids)
        # Odoo's own engine, on a bill with the same tax, tags it the same.
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.env["res.partner"].create({"name": "V"}).id,
                "invoice_date": "2026-01-15",
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "x",
                            "price_unit": 100.0,
                            "tax_ids": [(6, 0, tax.ids)],
                        },
                    )
                ],
            }
        )
        self.assertEqual(bill.invoice_line_ids.tax_tag_ids, grids["invoice"])

    def test_an_entry_odoo_refuses_fails_alone_and_the_batch_is_booked(self):
        """Odoo refuses one entry of a batch: the others are booked one by
        one, and only that item fails, with Odoo's reason."""
        job = self.new_job(["card_meal_dkk", "refund_dkk", "fee_fx_dkk"])
        refused = self.sandbox.state.exports.build(
            self.sandbox.state.exports.get(job["id"]), 1, self.sandbox.url
        )["accountingEntryId"]
        Connection = type(self.connection)
        real = Connection._pleo_export_create_moves

        def refuse_one(connection, prepared, ctx):
            if any(p["accountingEntryId"] == refused for p, _v, _f in prepared):
                raise UserError(connection.env._("The partner is blocked."))
            return real(connection, prepared, ctx)

        with patch.object(Connection, "_pleo_export_create_moves", refuse_one):
            self.run_export()
        self.assertEqual(len(self.moves()), 2)
        self.assertNotIn(refused, self.moves().mapped("pleo_accounting_entry_id"))
        reports = {r["accountingEntryId"]: r for r in self.reported(job["id"])}
        self.assertEqual(reports[refused]["status"], "failed")
        self.assertEqual(
            reports[refused]["failureReasonType"],
            "accounting_system_validation_failure",
        )
        self.assertIn("The partner is blocked.", reports[refused]["failureReason"])
        others = [r["status"] for e, r in reports.items() if e != refused]
        self.assertEqual(others, ["successful", "successful"])
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed_with_errors")

    def test_receipt_file_cut_off_by_a_stopped_worker_is_written_whole(self):
        """A worker stopped while it wrote a receipt left the file's first half
        under the receipt's checksum; Odoo refuses that content ever after. The
        export writes the file whole again and books the expense."""
        job = self.new_job(["card_meal_dkk"])
        content, path = self._receipt_file(job)
        self._write_file(path, content[: len(content) // 2])
        Attachment = self.env["ir.attachment"]
        with self.assertRaises(UserError), self.env.cr.savepoint():
            Attachment.create({"name": "receipt.pdf", "raw": content})
        self.run_export()
        move = self.moves()
        self.assertEqual(len(move), 1)
        self.assertEqual(self.attachments(move).raw, content)
        with open(path, "rb") as stored:
            self.assertEqual(stored.read(), content)
        self.assertEqual(self.reported(job["id"])[0]["status"], "successful")

    def test_a_file_that_is_no_cut_off_copy_is_left_to_odoo(self):
        """Another file under the receipt's checksum is not the receipt's
        beginning: the export does not touch it, and the item fails with Odoo's
        reason."""
        job = self.new_job(["card_meal_dkk"])
        content, path = self._receipt_file(job)
        other = b"X" + content[1 : len(content) // 2]
        self._write_file(path, other)
        self.run_export()
        self.assertFalse(self.moves())
        report = self.reported(job["id"])[0]
        self.assertEqual(report["status"], "failed")
        self.assertIn("collides", report["failureReason"])
        with open(path, "rb") as stored:
            self.assertEqual(stored.read(), other)

    def _receipt_file(self, job):
        """The job's first receipt as Pleo serves it, and its filestore path."""
        store = self.sandbox.state.exports
        url = store.build(store.get(job["id"]), 0, self.sandbox.url)["files"][0]["url"]
        client = self.connection._pleo_client()
        self.addCleanup(client.close)
        content = client.download_file(url)
        Attachment = self.env["ir.attachment"]
        sha = Attachment._compute_checksum(content)
        path = Attachment._full_path(f"{sha[:2]}/{sha}")
        # Later tests find the file whole, as Odoo would have written it.
        self.addCleanup(self._write_file, path, content)
        return content, path

    def _write_file(self, path, data):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stored:
            stored.write(data)

    def test_accounting_date_is_company_local_date(self):
        job = self.new_job(["card_meal_dkk"])
        self.run_export()
        move = self.moves()
        pleo_date = self.env["pleo.export.item"].search([("move_id", "=", move.id)])
        self.assertTrue(pleo_date)
        item = self.sandbox.state.exports.get(job["id"])
        stamp = self.sandbox.state.exports.build(item, 0, self.sandbox.url)["date"]
        utc = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        local = utc.astimezone(pytz.timezone("Europe/Copenhagen")).date()
        self.assertEqual(move.date, local)

    def test_refund_out_of_pocket_reimbursement_and_wallet_movements(self):
        job = self.new_job(
            [
                "refund_dkk",
                "out_of_pocket_dkk",
                "reimbursement_dkk",
                "wallet_topup_dkk",
                "wallet_unload_dkk",
                "fee_fx_dkk",
            ]
        )
        self.run_export()
        refund, oop, reimb, topup, unload, fee = self.moves()
        # Refund: expense and VAT credited, wallet debited.
        self.assertEqual(self.line(refund, "600000").credit, 399.2)
        self.assertEqual(self.line(refund, "131000").credit, 99.8)
        self.assertEqual(self.line(refund, "201100").debit, 499.0)
        # Out-of-pocket: the company owes the employee.
        owed = self.line(oop, "230000")
        self.assertEqual(owed.credit, 185.0)
        self.assertEqual(owed.partner_id.name, "Lars Nielsen")
        self.assertEqual(owed.partner_id.ref, "EMP002")
        self.assertFalse(self.line(oop, "201100"))
        # Reimbursement paid from the wallet settles the employee.
        self.assertEqual(self.line(reimb, "230000").debit, 185.0)
        self.assertEqual(self.line(reimb, "230000").partner_id, owed.partner_id)
        self.assertEqual(self.line(reimb, "201100").credit, 185.0)
        # Wallet top-up: bank credited, wallet debited; unload the opposite.
        self.assertEqual(self.line(topup, "101401").credit, 50000.0)
        self.assertEqual(self.line(topup, "201100").debit, 50000.0)
        self.assertEqual(self.line(unload, "101401").debit, 5000.0)
        self.assertEqual(self.line(unload, "201100").credit, 5000.0)
        self.assertEqual(self.line(fee, "620000").debit, 25.0)
        for move in (topup, unload):
            self.assertEqual(move.move_type, "entry")
            self.assertEqual(len(self.attachments(move)), 0)
        rows = self.reported(job["id"])
        self.assertEqual([r["status"] for r in rows], ["successful"] * 6)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")

    def test_foreign_currencies_keep_pleo_amounts(self):
        job = self.new_job(["card_hotel_eur", "card_meal_jpy", "card_baggage_kwd"])
        self.run_export()
        hotel, dinner, baggage = self.moves()
        items = self.sandbox.state.exports.get(job["id"])
        payloads = [
            self.sandbox.state.exports.build(items, n, self.sandbox.url)
            for n in range(3)
        ]
        for move, payload, cur, digits in (
            (hotel, payloads[0], "EUR", 2),
            (dinner, payloads[1], "JPY", 0),
            (baggage, payloads[2], "KWD", 3),
        ):
            self.assertEqual(move.currency_id.name, cur)
            wallet = self.line(move, "201100")
            amount = payload["amount"]
            self.assertEqual(
                wallet.amount_currency,
                -amount["inSupplierCurrency"]["value"] / 10**digits,
            )
            # company currency = what the wallet was charged, no re-conversion
            self.assertAlmostEqual(
                wallet.balance, -amount["inWalletCurrency"]["value"] / 100
            )
            self.assertEqual(move.amount_total_signed, wallet.credit)
        self.assertEqual(self.line(dinner, "962000").amount_currency, 4500.0)
        self.assertEqual(self.line(baggage, "600000").amount_currency, 12.5)
        self.assertEqual(len(self.attachments(hotel)), 2)
        vat = self.line(hotel, "131000")
        self.assertEqual(vat.amount_currency, 38.32)
        self.assertEqual(vat.tax_line_id, self.taxes["VAT19"])

    def test_purchase_without_receipt(self):
        self.new_job(["card_conference_gbp"])
        self.run_export()
        move = self.moves()
        self.assertEqual(move.currency_id.name, "GBP")
        self.assertEqual(self.line(move, "600000").amount_currency, 53.05)
        self.assertEqual(self.line(move, "131000").amount_currency, 10.61)
        self.assertFalse(self.attachments(move))
        self.assertFalse(move.message_main_attachment_id)

    def test_split_purchase_with_two_plans(self):
        self.new_job(["card_split_dkk"])
        self.run_export()
        move = self.moves()
        lines = move.line_ids.filtered("tax_ids")
        self.assertEqual(len(lines), 3)
        snacks = lines.filtered(lambda x: x.account_id.code == "962000")
        key = ",".join(
            str(i)
            for i in sorted((self.analytic["ADMIN"].id, self.analytic["P-BETA"].id))
        )
        self.assertEqual(snacks.analytic_distribution, {key: 100.0})
        self.assertEqual(sum(self.line(move, "131000").mapped("debit")), 499.8)
        self.assertEqual(self.line(move, "201100").credit, 2499.0)

    def test_untagged_lines_get_odoos_analytic_distribution_models(self):
        """Pleo's tags win; where Pleo sent none, the company's analytic
        distribution models apply as on any entry typed in Odoo."""
        self.new_job(["card_fuel_dkk", "card_meal_dkk"])
        self.env["account.analytic.distribution.model"].create(
            {
                "account_prefix": "600000",
                "analytic_distribution": {str(self.analytic["RND"].id): 100.0},
                "company_id": self.env.company.id,
            }
        )
        self.run_export()
        meal, fuel = self.moves().sorted(
            lambda m: "600000" in m.line_ids.account_id.mapped("code")
        )
        self.assertEqual(
            self.line(fuel, "600000").analytic_distribution,
            {str(self.analytic["RND"].id): 100.0},
        )
        self.assertEqual(
            self.line(meal, "962000").analytic_distribution,
            {str(self.analytic["SALES"].id): 100.0},
        )
        self.assertFalse(self.line(meal, "201100").analytic_distribution)

    def test_account_default_taxes_stay_off_the_wallet_and_vat_lines(self):
        """Pleo names each line's tax: a default tax on the wallet or the VAT
        account (as some charts have) does not add VAT Pleo never charged."""
        self.new_job(["card_meal_dkk"])
        for code in ("201100", "131000"):
            self.acc[code].tax_ids = self.taxes["VAT25"]
        self.run_export()
        move = self.moves()
        self.assertFalse(self.line(move, "201100").tax_ids)
        self.assertFalse(self.line(move, "131000").tax_ids)
        self.assertEqual(move.line_ids.tax_ids, self.taxes["VAT25"])
        self.assertEqual(self.line(move, "131000").debit, 69.0)

    def test_accounts_payable_bills_are_paid_from_the_wallet(self):
        self.connection.export_posting = "posted"
        job = self.new_job(["card_software_rc", "invoice_rent_dkk"])
        self.run_export()
        bills = self.moves()
        self.assertEqual(bills.mapped("move_type"), ["in_invoice", "in_invoice"])
        adobe, rent = bills
        self.assertEqual(adobe.partner_id, self.adobe)
        self.assertEqual(adobe.state, "posted")
        self.assertEqual(adobe.currency_id.name, "EUR")
        self.assertEqual(adobe.amount_untaxed_in_currency_signed, -59.99)
        # Reverse charge: VAT self-assessed on both sides, nets to zero.
        self.assertEqual(self.line(adobe, "131000").amount_currency, 15.0)
        self.assertEqual(self.line(adobe, "251000").amount_currency, -15.0)
        self.assertEqual(adobe.amount_total, 59.99)
        self.assertEqual(rent.partner_id, self.kontor)
        self.assertEqual(rent.ref, "KH-2024-0117 / " + rent.payment_reference)
        self.assertEqual(rent.amount_total, 12500.0)
        self.assertEqual(rent.amount_tax, 2500.0)
        for bill in bills:
            self.assertIn(bill.payment_state, ("paid", "in_payment"))
            self.assertEqual(bill.pleo_settlement_move_id.state, "posted")
            wallet = self.line(bill.pleo_settlement_move_id, "201100")
            self.assertAlmostEqual(wallet.credit, -bill.amount_total_signed)
            self.assertEqual(len(self.attachments(bill)), 1)
            self.assertFalse(bill.is_manually_modified)
        self.assertEqual(
            [r["status"] for r in self.reported(job["id"])], ["successful"] * 2
        )

    def test_unknown_vendor_fails_only_that_item(self):
        self.kontor.ref = False
        self.kontor.name = "Someone else"
        job = self.new_job(["invoice_rent_dkk", "card_meal_dkk"])
        self.run_export()
        rows = {r["index"]: r for r in self.reported(job["id"])}
        self.assertEqual(rows[0]["status"], "failed")
        self.assertEqual(rows[0]["failureReasonType"], "vendor_unknown")
        self.assertIn("Kontorhotellet", rows[0]["failureReason"])
        self.assertEqual(rows[1]["status"], "successful")
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed_with_errors")
        self.assertEqual(len(self.moves()), 1)

    def test_unknown_tax_code_and_account(self):
        self.taxes["VAT19"].pleo_code = False
        self.acc["611000"].code = "611999"
        job = self.new_job(["card_hotel_eur", "card_split_dkk", "card_meal_dkk"])
        self.run_export()
        rows = {r["index"]: r for r in self.reported(job["id"])}
        self.assertEqual(rows[0]["failureReasonType"], "tax_code_unknown")
        self.assertIn("VAT19", rows[0]["failureReason"])
        self.assertEqual(rows[1]["failureReasonType"], "account_unknown")
        self.assertIn("611000", rows[1]["failureReason"])
        self.assertEqual(rows[2]["status"], "successful")
        failed = self.env["pleo.export.item"].search([("state", "=", "failed")])
        self.assertEqual(len(failed), 2)
        self.assertTrue(all(failed.mapped("payload")))
        local = self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])
        self.assertEqual(local.state, "completed_with_errors")
        self.assertEqual((local.successful_count, local.failed_count), (1, 2))
        # Fixed configuration: Retry books the kept data; Pleo hears of it when
        # the expense is exported again.
        self.taxes["VAT19"].pleo_code = "VAT19"
        failed.filtered(lambda i: i.failure_reason_type == "tax_code_unknown")
        retry = failed.filtered(lambda i: i.failure_reason_type == "tax_code_unknown")
        retry.action_retry()
        self.assertEqual(retry.state, "booked_job_closed")
        self.assertEqual(retry.move_id.currency_id.name, "EUR")
