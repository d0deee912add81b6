# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: a EUR wallet of a DKK company is booked in euros, to the cent, at
Odoo's rate of the accounting date, on the EUR wallet's account and journal."""

from decimal import ROUND_HALF_UP, Decimal

from odoo import Command
from odoo.tests import tagged

from .common_export import PleoExportCase, seed

# Odoo's rate: euros per Danish krone.
RATE = 0.134


def dkk(eur):
    """Company amount of a euro amount at Odoo's rate, as Odoo rounds it."""
    value = Decimal(str(eur)) / Decimal(str(RATE))
    return float(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def eur_paid(kind):
    """What the EUR wallet paid for the seed's first item of `kind`, in euros."""
    recipe = seed.RECIPES[kind]
    total = sum(line.amount for line in recipe.lines)
    return seed.convert(total, recipe.currency, "EUR") / 100


@tagged("post_install", "-at_install")
class TestExportForeignWallet(PleoExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.env.ref("base.USD").active = True
        cls.eur_wallet = cls.env["account.account"].create(
            {
                "code": "201200",
                "name": "Pleo EUR wallet",
                "account_type": "asset_current",
                "currency_id": cls.eur.id,
                "company_ids": [Command.link(cls.company.id)],
            }
            if "company_ids" in cls.env["account.account"]._fields
            else {
                "code": "201200",
                "name": "Pleo EUR wallet",
                "account_type": "asset_current",
                "currency_id": cls.eur.id,
                "company_id": cls.company.id,
            }
        )
        cls.eur_journal = cls.env["account.journal"].create(
            {
                "name": "Pleo EUR",
                "code": "PLEUR",
                "type": "general",
                "currency_id": cls.eur.id,
                "company_id": cls.company.id,
            }
        )
        cls.connection.export_wallet_ids = [
            Command.create(
                {
                    "currency_id": cls.eur.id,
                    "account_id": cls.eur_wallet.id,
                    "journal_id": cls.eur_journal.id,
                }
            )
        ]

    def setUp(self):
        super().setUp()
        self.env["res.currency.rate"].search(
            [("currency_id", "=", self.eur.id)]
        ).unlink()
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.eur.id,
                "company_id": self.company.id,
                "name": "2000-01-01",
                "rate": RATE,
            }
        )

    def _booked(self, kinds):
        job = self.new_job(kinds)
        self.run_export()
        moves = self.moves()
        self.assertEqual(len(moves), len(kinds))
        return job, dict(zip(kinds, moves, strict=True))

    def _assert_in_eur(self, move, kind):
        paid = eur_paid(kind)
        self.assertEqual(move.currency_id, self.eur)
        self.assertEqual(move.journal_id, self.eur_journal)
        wallet = move.line_ids.filtered(lambda x: x.account_id == self.eur_wallet)
        self.assertEqual(wallet.currency_id, self.eur)
        self.assertEqual(wallet.amount_currency, -paid)
        self.assertEqual(wallet.balance, -dkk(paid))
        self.assertEqual(set(move.line_ids.currency_id.mapped("name")), {"EUR"})
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0.0, places=6)
        self.assertAlmostEqual(
            sum(move.line_ids.mapped("amount_currency")), 0.0, places=6
        )

    def test_purchases_refund_and_wallet_moves_of_a_eur_wallet(self):
        self.connection.export_posting = "posted"
        kinds = seed.EUR_WALLET
        job, moves = self._booked(kinds)
        for kind, move in moves.items():
            self._assert_in_eur(move, kind)
            self.assertEqual(move.state, "posted")
        # Card purchases debit expenses, refunds and top-ups credit them back.
        meal = moves["eur_wallet_card_eur"]
        self.assertEqual(self.line(meal, "962000").amount_currency, 156.72)
        self.assertEqual(self.line(meal, "131000").amount_currency, 29.78)
        self.assertEqual(self.line(meal, "131000").balance, dkk(29.78))
        self.assertEqual(len(self.attachments(meal)), 1)
        topup = moves["eur_wallet_topup"]
        self.assertEqual(self.line(topup, "201200").amount_currency, 5000.0)
        self.assertEqual(self.line(topup, "101401").balance, -dkk(5000.0))
        refund = moves["eur_wallet_refund"]
        self.assertEqual(self.line(refund, "201200").amount_currency, 46.5)
        reported = {r["accountingEntryId"]: r for r in self.reported(job["id"])}
        for move in moves.values():
            report = reported[move.pleo_accounting_entry_id]
            self.assertEqual(report["status"], "successful")
            self.assertEqual(report["externalId"], str(move.id))
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")

    def test_purchase_currency_stays_visible_and_vat_is_pleos_in_euros(self):
        _job, moves = self._booked(["eur_wallet_card_usd", "eur_wallet_card_gbp"])
        usd = self.line(moves["eur_wallet_card_usd"], "961000")
        self.assertIn("49.99 USD", usd.name)
        self.assertEqual(usd.amount_currency, eur_paid("eur_wallet_card_usd"))
        gbp = moves["eur_wallet_card_gbp"]
        self.assertIn("127.80 GBP", self.line(gbp, "962000").name)
        gross = seed.convert(12780, "GBP", "EUR")
        vat = self.line(gbp, "131000")
        self.assertEqual(vat.amount_currency, round(gross * 0.2 / 1.2) / 100)

    def test_missing_odoo_rate_fails_the_item_naming_the_rate(self):
        self.env["res.currency.rate"].search(
            [("currency_id", "=", self.eur.id)]
        ).unlink()
        job = self.new_job(["eur_wallet_card_eur", "card_meal_dkk"])
        self.run_export()
        moves = self.moves()
        self.assertEqual(len(moves), 1)
        self.assertEqual(moves.currency_id.name, "DKK")
        failed = [r for r in self.reported(job["id"]) if r["status"] == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["failureReasonType"], "missing_configuration")
        self.assertIn("EUR exchange rate", failed[0]["failureReason"])
        item = self.env["pleo.export.item"].search(
            [("accounting_entry_id", "=", failed[0]["accountingEntryId"])]
        )
        self.assertIn(str(item.date)[:10], failed[0]["failureReason"])
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed_with_errors")
