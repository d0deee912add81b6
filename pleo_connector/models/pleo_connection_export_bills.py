# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: a supplier invoice Pleo paid may already be a vendor bill in Odoo
(e-mail, OCR, purchase order). Found by partner and supplier invoice number, as
Odoo's own duplicate reference check finds it, it is paid from the wallet
instead of being booked a second time."""

from decimal import Decimal

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.export_items import item_failure
from ..services.export_mapping import to_major, wallet_account
from .pleo_connection_export_booking import NO_AMOUNT_WRITE

BILL_TYPES = ("in_invoice", "in_refund")


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    export_match_bills = fields.Boolean(
        string="Pay Existing Bills",
        default=True,
        help="Before booking a supplier invoice Pleo paid, look for a vendor bill "
        "of the same vendor with the same bill reference (draft or posted). "
        "Found with the same amount: it is paid from the Pleo wallet and gets "
        "Pleo's receipts, no second bill is booked. Found with another amount: "
        "the expense fails with both amounts.",
    )

    def _pleo_export_match_bills(self, prepared, outcomes, ctx):
        """Settle the items whose bill already exists; return the others.

        One search for the whole page. A match is paid in its own savepoint; a
        bill with another amount fails the item, nothing is booked.
        """
        keys = {}
        for payload, vals, _files in prepared:
            number = _invoice_number(payload)
            if vals["move_type"] in BILL_TYPES and number:
                keys[payload["accountingEntryId"]] = (vals, number)
        if not self.export_match_bills or not keys:
            return prepared
        found = self._pleo_existing_bills(keys.values())
        rest = []
        for item in prepared:
            payload, vals, files = item
            entry = payload["accountingEntryId"]
            bill = (
                found.get(_bill_key(self.env, *keys[entry])) if entry in keys else None
            )
            if not bill:
                rest.append(item)
                continue
            pleo_amount = _amount_in(payload, bill.currency_id.name, ctx)
            if pleo_amount is None or bill.currency_id.compare_amounts(
                bill.amount_total, abs(pleo_amount)
            ):
                outcomes[entry] = item_failure(
                    "accounting_system_validation_failure",
                    _bill_differs(payload, bill, ctx),
                    payload,
                )
                continue
            try:
                with self.env.cr.savepoint():
                    self._pleo_pay_existing_bill(bill, payload, vals, files, ctx)
            except (UserError, ValidationError) as exc:
                outcomes[entry] = item_failure(
                    "accounting_system_validation_failure",
                    _(
                        "Odoo refused the payment of %(bill)s: %(error)s",
                        bill=bill.display_name,
                        error=exc.args[0] if exc.args else exc,
                    ),
                    payload,
                )
                continue
            outcomes[entry] = {"status": "successful", "move": bill}
        return rest

    def _pleo_existing_bills(self, keys):
        """{(commercial partner id, move type, reference): bill} in one search;
        bills booked from Pleo are Pleo's own, never another channel's."""
        Partner = self.env["res.partner"]
        partners = Partner.browse({vals["partner_id"] for vals, _n in keys})
        bills = self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("move_type", "in", BILL_TYPES),
                ("state", "in", ("draft", "posted")),
                ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                ("ref", "in", list({number for _v, number in keys})),
                ("pleo_accounting_entry_id", "=", False),
            ],
            order="id",
        )
        found = {}
        for bill in bills:
            key = (bill.commercial_partner_id.id, bill.move_type, bill.ref)
            found.setdefault(key, bill)
        return found

    def _pleo_pay_existing_bill(self, bill, payload, vals, files, ctx):
        """The wallet payment of `bill`, Pleo's receipts on it, and the bill
        marked as this Pleo expense (so that a rerun reports it)."""
        wallet_currency = payload["amount"]["inWalletCurrency"]["currency"]
        journal = (
            self.export_wallet_ids.filtered(
                lambda w: w.currency_id.name == wallet_currency
            ).journal_id
            or self.export_journal_id
        )
        label = _("Pleo payment of %s", bill.ref or bill.name)
        settlement = (
            self.env["account.move"]
            .with_context(tracking_disable=True)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": vals["date"],
                    "ref": label,
                    "pleo_connection_id": self.id,
                    "line_ids": [
                        (0, 0, line)
                        for line in _settlement_lines(
                            bill,
                            vals,
                            label,
                            wallet_account(payload, ctx, wallet_currency),
                        )
                    ],
                }
            )
        )
        # Linking the bill to Pleo is not a person's edit of it (Odoo's
        # autopost of bills counts those).
        bill.with_context(**NO_AMOUNT_WRITE).write(
            {
                "pleo_connection_id": self.id,
                "pleo_accounting_entry_id": payload["accountingEntryId"],
                "pleo_settlement_move_id": settlement.id,
            }
        )
        self._pleo_attach_receipts(bill, files)
        bill.message_post(
            body=_("Paid from the Pleo wallet: %s", settlement._get_html_link())
        )
        if bill.state == "posted" and self.export_posting == "posted":
            bill._pleo_post_wallet_payment()

    def _pleo_attach_receipts(self, move, files):
        attachments = self._pleo_store_receipts(self._pleo_receipt_vals(move, files))
        if attachments and not move.message_main_attachment_id:
            quiet = move.with_context(**NO_AMOUNT_WRITE)
            quiet.message_main_attachment_id = attachments[0]


def _settlement_lines(bill, vals, label, wallet_account_id):
    """Debit what the bill owes in its currency, credit the wallet what Pleo
    paid; both at the company amount the wallet was charged (Odoo books any
    exchange difference to the bill's own rate when reconciling)."""
    term = next(
        cmd[2]
        for cmd in vals["line_ids"]
        if cmd[2].get("display_type") == "payment_term"
    )
    bill_terms = bill.line_ids.filtered(lambda x: x.display_type == "payment_term")
    owed = -sum(bill_terms.mapped("amount_currency"))
    if bill.currency_id == bill.company_currency_id:
        owed = -term["balance"]
    partner = bill.commercial_partner_id.id
    return [
        {
            "name": label,
            "account_id": bill_terms[:1].account_id.id,
            "partner_id": partner,
            "currency_id": bill.currency_id.id,
            "amount_currency": owed,
            "balance": -term["balance"],
        },
        {
            "name": label,
            "account_id": wallet_account_id,
            "partner_id": partner,
            "currency_id": term["currency_id"],
            "amount_currency": term["amount_currency"],
            "balance": term["balance"],
        },
    ]


def _invoice_number(payload):
    info = (payload.get("additionalInformation") or {}).get("invoiceInformation")
    return ((info or {}).get("invoiceNumber") or "").strip() or None


def _bill_key(env, vals, number):
    partner = env["res.partner"].browse(vals["partner_id"]).commercial_partner_id
    return (partner.id, vals["move_type"], number)


def _amount_in(payload, currency, ctx):
    """Pleo's total in `currency`: the purchase's or the wallet's, else None."""
    for key in ("inSupplierCurrency", "inWalletCurrency"):
        money = (payload.get("amount") or {}).get(key) or {}
        if money.get("currency") == currency:
            return float(to_major(money.get("value"), currency, ctx))
    return None


def _bill_differs(payload, bill, ctx):
    money = payload["amount"]["inSupplierCurrency"]
    digits = ctx.currency_digits.get(money["currency"], 2)
    pleo = to_major(abs(money["value"]), money["currency"], ctx)
    odoo = Decimal(str(bill.amount_total))
    # Formatted outside the message: the translation extractor reads its args.
    odoo_amount = f"{odoo:,.{bill.currency_id.decimal_places}f}"
    pleo_amount = f"{pleo:,.{digits}f}"
    return _(
        "Vendor bill %(bill)s already exists in Odoo for %(odoo)s %(odoo_cur)s, "
        "but Pleo paid %(pleo)s %(pleo_cur)s. Correct the bill or the invoice in "
        "Pleo, then retry the item; nothing was booked.",
        bill=bill.display_name,
        odoo=odoo_amount,
        odoo_cur=bill.currency_id.name,
        pleo=pleo_amount,
        pleo_cur=money["currency"],
    )
