# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pleo export item (ExportItemV3) -> account.move values, as plain functions.

Nothing here imports Odoo: the ORM layer gathers every lookup the mapping needs
(accounts, taxes, analytic accounts, partners, currencies) into a plain
`MappingContext`, and `map_export_item(item, ctx)` returns the values of one
`account.move` (ready for `account.move.create`) or raises `MappingError` with
the Pleo item `failureReasonType` and a sentence an accountant can act on.

Conventions (see the addon README):

* Money: Pleo sends integers in minor units; the exponent is the currency's own
  number of decimals (`ctx.currency_digits`, Odoo's `decimal_places`: JPY 0,
  KWD 3). In a wallet of the company's currency, the company side (`balance`)
  is what the wallet was charged (`inWalletCurrency`) and the purchase side
  (`amount_currency`/`currency_id`) is `inSupplierCurrency`: nothing is
  converted at Odoo's rates. A wallet in another currency is booked like a
  foreign bank account: `amount_currency` is the wallet amount, the company
  side is converted at Odoo's rate of the accounting date (`ctx.rate_of`), and
  the purchase amount is named in the line labels.
* Sign: a positive value debits the item's line accounts and credits the
  counter side (wallet, employee, vendor); a negative value (refunds, wallet
  top-ups) does the opposite.
* VAT: `inclusive` and `exclusive` codes: the line amount is gross, the VAT is
  `tax.amount`, the base is line - VAT. `reverse`: the line amount is the base
  and the self-assessed VAT nets to zero through the tax's repartition lines.
  Odoo's tax configuration (repartition lines: accounts and tax grids) decides
  where VAT goes; the amounts are Pleo's. Odoo's own rate is a plausibility
  check: a difference larger than rounding fails the item with the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from .text import _, translate

JOURNAL_METHODS = ("journal", "none", None)
# Types whose counter side is the employee (money the company owes them).
EMPLOYEE_TYPES = ("out_of_pocket", "mileage", "per_diem")
# Reimbursements settle the employee: partner on every line.
REIMBURSEMENT_TYPES = ("direct_reimbursement", "external_reimbursement")
WALLET_TYPES = ("wallet_topup", "wallet_unload")
# Spending that comes with a receipt in Pleo (wallet moves and fees do not).
RECEIPT_TYPES = ("card_purchase", "out_of_pocket", "invoice", "card_invoice", "refund")


class MappingError(Exception):
    """An item that cannot be booked: `failure_type` is Pleo's item enum value."""

    def __init__(self, failure_type, text):
        super().__init__(str(translate(text, str)))
        self.failure_type = failure_type
        # `text` is translated where it is shown (services/text.py); `message`
        # is the English sentence.
        self.text = text
        self.message = self.args[0]


@dataclass
class TaxInfo:
    """An Odoo purchase tax reduced to what booking needs."""

    id: int
    name: str
    amount: float  # percent, e.g. 25.0
    amount_type: str  # percent, fixed, division, group
    price_include: bool = False
    # Repartition lines of type 'tax' per document type ('invoice'/'refund'):
    # list of (factor, account_id or None, tag ids, repartition line id).
    invoice_lines: list = field(default_factory=list)
    refund_lines: list = field(default_factory=list)
    # Tag ids of the 'base' repartition lines (a VAT report's base grids).
    invoice_base_tags: list = field(default_factory=list)
    refund_base_tags: list = field(default_factory=list)


@dataclass
class MappingContext:
    company_currency: str
    currency_digits: dict  # ISO code -> decimals (active Odoo currencies)
    currency_ids: dict  # ISO code -> res.currency id
    accounts: dict  # account code or str(id) -> account id
    taxes: dict  # Pleo tax code -> TaxInfo
    analytic: dict  # (groupCode, tag code) -> analytic account id
    journal_id: int | None  # Pleo general journal
    purchase_journal_id: int | None = None
    wallets: dict = field(default_factory=dict)  # currency -> (account, journal)
    contra_account_id: int | None = None
    out_of_pocket_account_id: int | None = None
    expense_account_id: int | None = None
    payable_account_id: int | None = None
    vendor_payable: dict = field(default_factory=dict)  # partner id -> account id
    employees: dict = field(default_factory=dict)  # user code/name -> partner id
    vendors: dict = field(default_factory=dict)  # vendor code/externalId/name -> id
    accounting_date: object = None  # date of the entry (set by the ORM layer)
    vat_tolerance: int = 1  # minor units of difference allowed per line
    base_url: str = ""
    # (currency, date) -> Odoo's rate (currency units per company unit) as a
    # Decimal, or None when Odoo has no rate on or before that date.
    rate_of: object = None
    # Whether the company has analytic distribution models, which Odoo applies
    # to the lines Pleo left untagged.
    distribution_models: bool = True


def to_major(value, currency, ctx):
    """Minor units -> Decimal major units, by the currency's own exponent."""
    digits = ctx.currency_digits.get(currency)
    if digits is None:
        raise MappingError(
            "missing_configuration",
            _(
                "Currency %(currency)s is not active in Odoo: activate it in "
                "Accounting > Configuration > Currencies.",
                currency=currency,
            ),
        )
    return Decimal(int(value or 0)) / (Decimal(10) ** digits)


def _money(pair, currency_key):
    money = (pair or {}).get(currency_key) or {}
    return money.get("currency"), int(money.get("value") or 0)


def _fmt(minor, currency, ctx):
    digits = ctx.currency_digits.get(currency, 2)
    return f"{to_major(minor, currency, ctx):,.{digits}f} {currency}"


def bookkeeping_method(item):
    return ((item.get("bookkeeping") or {}).get("method")) or None


def move_type_for(item):
    """'entry', 'in_invoice' or 'in_refund'."""
    if item.get("type") in WALLET_TYPES or bookkeeping_method(item) != (
        "accounts_payable"
    ):
        return "entry"
    _cur, total = _money(item.get("amount"), "inWalletCurrency")
    return "in_refund" if total < 0 else "in_invoice"


def resolve_account(account, ctx, what):
    """Pleo account ({code, identifier, name}) -> Odoo account id.

    `identifier` is the ERP's id for the account (Level 3 syncs the Odoo
    account id there); `code` is the account code. Both are accepted.
    """
    if not account:
        return None
    for key in (account.get("identifier"), account.get("code")):
        if key and str(key) in ctx.accounts:
            return ctx.accounts[str(key)]
    label = account.get("code") or account.get("identifier") or account.get("name")
    raise MappingError(
        "account_unknown",
        _(
            "%(what)s account %(label)s (%(name)s) does not exist in Odoo: "
            "create it or correct the category in Pleo.",
            what=what,
            label=label,
            name=account.get("name") or "",
        ),
    )


def check_line_accounts(lines, ctx):
    """Every unknown category of the item at once, so one fix covers them all."""
    problems = []
    for n, line in enumerate(lines, start=1):
        if not line.get("account"):
            continue
        try:
            resolve_account(line["account"], ctx, _("Line %(n)s: expense", n=n))
        except MappingError as exc:
            problems.append(exc.text)
    if problems:
        raise MappingError("account_unknown", problems)


def receipt_missing(item):
    """An expense Pleo expects a receipt for, exported without one."""
    return item.get("type") in RECEIPT_TYPES and not item.get("files")


def resolve_tax(tax, ctx):
    code = tax.get("code")
    info = ctx.taxes.get(code) if code else None
    if not info:
        raise MappingError(
            "tax_code_unknown",
            _(
                "Tax code %(code)s does not exist in Odoo: set 'Pleo tax code' "
                "on the matching purchase tax.",
                code=code or tax.get("id"),
            ),
        )
    return info


def resolve_analytic(tags, ctx):
    ids = []
    for tag in tags or []:
        key = (tag.get("groupCode"), tag.get("code"))
        account_id = ctx.analytic.get(key)
        if not account_id:
            raise MappingError(
                "tag_unknown",
                _(
                    "Tag with code %(tag)s (group %(group)s) does not exist in "
                    "Odoo: create the analytic account with that reference in the "
                    "analytic plan of the same name.",
                    tag=key[1],
                    group=key[0],
                ),
            )
        ids.append(account_id)
    if not ids:
        return None
    return {",".join(str(i) for i in sorted(set(ids))): 100.0}


def _partner_for(person, mapping):
    if not person:
        return None
    for key in (person.get("code"), person.get("externalId"), person.get("name")):
        if key and key in mapping:
            return mapping[key]
    return None


def _description(item):
    parts = [
        (item.get("supplier") or {}).get("name"),
        (item.get("user") or {}).get("name"),
        item.get("note"),
    ]
    return " - ".join(p for p in parts if p) or item.get("type") or "Pleo"


def pleo_web_link(item):
    web = (item.get("_links") or {}).get("web") or {}
    return web.get("exportItem") or next(iter(web.values()), None)


def narration_html(item):
    info = item.get("additionalInformation") or {}
    rows = [escape(_description(item))]
    if info.get("attendees"):
        attendees = ", ".join(a for a in info["attendees"] if a)
        rows.append("Attendees: " + escape(attendees))
    if info.get("reconciledEntries"):
        rows.append("Settles: " + escape(", ".join(info["reconciledEntries"])))
    link = pleo_web_link(item)
    if link:
        rows.append(f'<a href="{escape(link)}">Open in Pleo</a>')
    return "".join(f"<p>{r}</p>" for r in rows)


def wallet_account(item, ctx, wallet_currency):
    """The ledger account of the Pleo wallet the item was paid from."""
    wallet = ctx.wallets.get(wallet_currency)
    if wallet and wallet[0]:
        return wallet[0]
    contra = item.get("contraAccount")
    if contra:
        return resolve_account(contra, ctx, _("Contra"))
    if ctx.contra_account_id:
        return ctx.contra_account_id
    raise MappingError(
        "missing_configuration",
        _(
            "Wallet account for %(currency)s missing: add it to the wallet "
            "accounts of the Pleo connection or set a contra account.",
            currency=wallet_currency,
        ),
    )


def _counter_account(item, ctx, wallet_currency):
    kind = item.get("type")
    if kind in EMPLOYEE_TYPES:
        if not ctx.out_of_pocket_account_id:
            raise MappingError(
                "missing_configuration",
                _(
                    "Out-of-pocket account missing: set it on the Pleo connection "
                    "(Export tab)."
                ),
            )
        return ctx.out_of_pocket_account_id
    return wallet_account(item, ctx, wallet_currency)


def _tax_lines(info, vat_s, vat_w, refund):
    """Tax move lines split over the tax's repartition lines, Pleo's amounts.

    Returns (lines, vat_on_move_s, vat_on_move_w): the VAT that changes the total
    (zero for a reverse charge whose repartition nets out).
    """
    reps = info.refund_lines if refund else info.invoice_lines
    reps = [r for r in reps if r[0]]
    if not reps:
        return [], 0, 0
    out = []
    for factor, account_id, tag_ids, rep_id in reps:
        share = Decimal(str(factor)) / 100
        out.append(
            {
                "account_id": account_id,
                "tax_repartition_line_id": rep_id,
                "tax_tag_ids": [(6, 0, list(tag_ids))],
                "s": int((Decimal(vat_s) * share).to_integral_value()),
                "w": int((Decimal(vat_w) * share).to_integral_value()),
            }
        )
    # Rounding of split factors goes to the first line of each sign.
    total_factor = sum(Decimal(str(r[0])) for r in reps) / 100
    want_s = int((Decimal(vat_s) * total_factor).to_integral_value())
    want_w = int((Decimal(vat_w) * total_factor).to_integral_value())
    out[0]["s"] += want_s - sum(x["s"] for x in out)
    out[0]["w"] += want_w - sum(x["w"] for x in out)
    return out, want_s, want_w


def _check_rate(info, base_s, vat_s, cur, ctx, line_no):
    if info.amount_type != "percent" or not base_s:
        return
    expected = (Decimal(base_s) * Decimal(str(info.amount)) / 100).to_integral_value()
    if abs(int(expected) - vat_s) > ctx.vat_tolerance:
        raise MappingError(
            "validation_failure",
            _(
                "Line %(line)s: Pleo's VAT %(vat)s on a base of %(base)s does not "
                "match Odoo tax '%(tax)s' (%(rate)s%%), which gives %(expected)s. "
                "Check the tax mapping.",
                line=line_no,
                vat=_fmt(vat_s, cur, ctx),
                base=_fmt(base_s, cur, ctx),
                tax=info.name,
                rate=info.amount,
                expected=_fmt(int(expected), cur, ctx),
            ),
        )


def map_export_item(item, ctx):
    """Values of the account.move booking `item` (never touches the database)."""
    move_type = move_type_for(item)
    kind = item.get("type")
    total_cur, total_s = _money(item.get("amount"), "inSupplierCurrency")
    wallet_cur, total_w = _money(item.get("amount"), "inWalletCurrency")
    if not wallet_cur or not total_cur:
        raise MappingError("validation_failure", _("The item has no amount."))
    to_major(0, total_cur, ctx)  # currency active?
    to_major(0, wallet_cur, ctx)
    rate = wallet_rate(wallet_cur, ctx)
    # The document currency: the purchase's in a company-currency wallet, the
    # wallet's own otherwise (so that amount_currency is what the wallet paid).
    doc_cur = wallet_cur if rate else total_cur
    lines = item.get("accountingEntryLines") or []
    if not lines:
        raise MappingError("validation_failure", _("The item has no lines."))
    check_line_accounts(lines, ctx)
    refund = total_w < 0
    invoice_like = move_type != "entry"
    user = item.get("user") or {}
    employee_id = _partner_for(user, ctx.employees)
    partner_id = None
    if invoice_like:
        vendor = item.get("vendor")
        partner_id = _partner_for(vendor, ctx.vendors) if vendor else None
        if not partner_id:
            partner_id = _partner_for(item.get("supplier"), ctx.vendors)
        if not partner_id:
            who = vendor or item.get("supplier") or {}
            raise MappingError(
                "vendor_unknown",
                _(
                    "Vendor %(vendor)s (code %(code)s) does not exist in Odoo: "
                    "create the vendor with this code as its reference.",
                    vendor=who.get("name") or "?",
                    code=who.get("code") or "-",
                ),
            )
    elif kind in EMPLOYEE_TYPES or kind in REIMBURSEMENT_TYPES:
        partner_id = employee_id
    label = _description(item)
    info = item.get("additionalInformation") or {}
    book_id = info.get("reconciliationId")

    move_lines = []  # (vals, amount_s, amount_w, is_base)
    for n, line in enumerate(lines, start=1):
        line_cur, line_s = _money(line.get("lineAmount"), "inSupplierCurrency")
        _wc, line_w = _money(line.get("lineAmount"), "inWalletCurrency")
        if line.get("account"):
            account_id = resolve_account(line["account"], ctx, _("Expense"))
        elif ctx.expense_account_id:
            account_id = ctx.expense_account_id
        else:
            raise MappingError(
                "missing_configuration",
                _(
                    "Line %(n)s has no category and no default expense account "
                    "is set on the Pleo connection.",
                    n=n,
                ),
            )
        analytic = resolve_analytic(line.get("tags"), ctx)
        tax = line.get("tax")
        tax_vals, base_s, base_w = [], line_s, line_w
        tax_ids, base_tags = [], []
        price_extra = 0
        if tax:
            tinfo = resolve_tax(tax, ctx)
            _c, vat_s = _money(tax.get("amount"), "inSupplierCurrency")
            _c, vat_w = _money(tax.get("amount"), "inWalletCurrency")
            if tax.get("type") != "reverse":
                base_s, base_w = line_s - vat_s, line_w - vat_w
            _check_rate(tinfo, base_s, vat_s, line_cur or total_cur, ctx, n)
            tax_vals, on_s, on_w = _tax_lines(tinfo, vat_s, vat_w, refund)
            if tax.get("type") == "reverse" and (on_s or on_w):
                raise MappingError(
                    "invalid_configuration",
                    _(
                        "Odoo tax '%(tax)s' is not a reverse-charge tax (its "
                        "repartition lines do not net to zero), but Pleo's tax "
                        "code %(code)s is.",
                        tax=tinfo.name,
                        code=tax.get("code"),
                    ),
                )
            tax_ids = [tinfo.id]
            base_tags = tinfo.refund_base_tags if refund else tinfo.invoice_base_tags
            if tinfo.price_include and tax.get("type") != "reverse":
                price_extra = vat_w if rate else vat_s
            for tv in tax_vals:
                tv["account_id"] = tv["account_id"] or account_id
        # The base grids as Odoo's tax engine tags an invoice line; a Pleo
        # entry is created without that engine (its amounts are Pleo's).
        base = {
            "name": _with_purchase_amount(label, line, wallet_cur, ctx),
            "account_id": account_id,
            "tax_ids": [(6, 0, tax_ids)],
            "tax_tag_ids": [(6, 0, list(base_tags))],
            "analytic_distribution": analytic,
            "partner_id": partner_id,
        }
        if invoice_like:
            base["display_type"] = "product"
            base["_price_extra"] = price_extra
        move_lines.append((base, base_s, base_w, True))
        for tv in tax_vals:
            vals = {
                "name": f"{label} ({tax.get('code')})",
                "account_id": tv["account_id"],
                "tax_repartition_line_id": tv["tax_repartition_line_id"],
                "tax_tag_ids": tv["tax_tag_ids"],
                "partner_id": partner_id,
                "display_type": "tax",
            }
            move_lines.append((vals, tv["s"], tv["w"], False))

    # The move's total is Pleo's; a rounding difference between the lines and the
    # total goes to the largest base line, a real difference fails the item.
    sum_s = sum(x[1] for x in move_lines)
    sum_w = sum(x[2] for x in move_lines)
    tolerance = len(lines)
    if abs(total_s - sum_s) > tolerance or abs(total_w - sum_w) > tolerance:
        raise MappingError(
            "validation_failure",
            _(
                "The lines add up to %(lines)s but the expense total is %(total)s.",
                lines=_fmt(sum_w, wallet_cur, ctx),
                total=_fmt(total_w, wallet_cur, ctx),
            ),
        )
    if sum_s != total_s or sum_w != total_w:
        idx = max(
            (i for i, x in enumerate(move_lines) if x[3]),
            key=lambda i: abs(move_lines[i][2]),
        )
        vals, s, w, is_base = move_lines[idx]
        move_lines[idx] = (vals, s + total_s - sum_s, w + total_w - sum_w, is_base)

    if invoice_like:
        counter_account = ctx.payable_account_id or ctx.vendor_payable.get(partner_id)
        if not counter_account:
            raise MappingError(
                "missing_configuration",
                _(
                    "Payable account missing: set it on the Pleo connection or on "
                    "the vendor."
                ),
            )
        counter_partner = partner_id
    else:
        counter_account = _counter_account(item, ctx, wallet_cur)
        counter_partner = employee_id if kind in EMPLOYEE_TYPES else partner_id
    counter = {
        "name": label,
        "account_id": counter_account,
        "partner_id": counter_partner,
    }
    if invoice_like:
        counter["display_type"] = "payment_term"
    move_lines.append((counter, -total_s, -total_w, False))

    currency_id = ctx.currency_ids[doc_cur]
    if rate:
        doc_amounts = [w for _v, _s, w, _b in move_lines]
        company = company_amounts(move_lines, wallet_cur, rate, ctx)
    else:
        doc_amounts = [s for _v, s, _w, _b in move_lines]
        company = [w for _v, _s, w, _b in move_lines]
    company_cur = ctx.company_currency if rate else wallet_cur
    dates = supplier_dates(item, ctx) if invoice_like else {}
    line_cmds = []
    for (vals, _s, _w, is_base), doc, comp in zip(
        move_lines, doc_amounts, company, strict=True
    ):
        vals = dict(vals)
        amount_currency = to_major(doc, doc_cur, ctx)
        vals.update(
            currency_id=currency_id,
            amount_currency=float(amount_currency),
            balance=float(to_major(comp, company_cur, ctx)),
        )
        extra = vals.pop("_price_extra", 0)
        if invoice_like and is_base:
            gross = abs(amount_currency + to_major(extra, doc_cur, ctx))
            vals.update(quantity=1.0, price_unit=float(gross))
        if invoice_like and vals.get("display_type") == "payment_term":
            vals["date_maturity"] = dates["invoice_date_due"]
        if not vals.get("partner_id"):
            vals.pop("partner_id", None)
        # What Odoo would compute for a Pleo line, said up front: a line is a
        # product (one unit), a tax or the payment term, with no tax but the
        # ones Pleo names (an account's default taxes are not Pleo's).
        vals.setdefault("display_type", "product")
        vals.setdefault("quantity", 1.0 if vals["display_type"] == "product" else 0.0)
        vals.setdefault("tax_ids", [(6, 0, [])])
        if not vals.get("analytic_distribution"):
            if ctx.distribution_models:
                vals.pop("analytic_distribution", None)  # Odoo's models fill it
            else:
                # No model would apply: saying so spares Odoo a search per line.
                vals["analytic_distribution"] = False
        line_cmds.append((0, 0, vals))

    wallet = ctx.wallets.get(wallet_cur) or (None, None)
    if invoice_like:
        journal_id = ctx.purchase_journal_id
        missing = _(
            "Purchase journal missing: set it on the Pleo connection (Export tab)."
        )
    else:
        journal_id = wallet[1] or ctx.journal_id
        missing = _("Pleo journal missing: set it on the Pleo connection (Export tab).")
    if not journal_id:
        raise MappingError("missing_configuration", missing)
    ref_parts = [book_id]
    invoice_info = info.get("invoiceInformation") or {}
    if invoice_info.get("invoiceNumber"):
        ref_parts.insert(0, invoice_info["invoiceNumber"])
    vals = {
        "move_type": move_type,
        "journal_id": journal_id,
        "date": ctx.accounting_date,
        "currency_id": currency_id,
        "ref": " / ".join(p for p in ref_parts if p) or label,
        "narration": narration_html(item),
        "pleo_accounting_entry_id": item["accountingEntryId"],
        "pleo_reconciliation_id": book_id or False,
        "pleo_receipt_missing": receipt_missing(item),
        "pleo_reconciled_entries": ",".join(info.get("reconciledEntries") or [])
        or False,
        "line_ids": line_cmds,
    }
    if invoice_like:
        vals.update(
            partner_id=partner_id,
            payment_reference=book_id,
            # A foreign wallet's bill keeps Odoo's rate of the accounting date,
            # not that of the supplier's invoice date Odoo would take.
            pleo_currency_rate=float(rate) if rate else effective_rate(item, ctx),
            **dates,
        )
    return vals


def wallet_rate(wallet_cur, ctx):
    """Odoo's rate of a foreign wallet's currency on the accounting date (None
    for a wallet in the company's currency); no rate in Odoo fails the item."""
    if wallet_cur == ctx.company_currency:
        return None
    rate = ctx.rate_of(wallet_cur, ctx.accounting_date) if ctx.rate_of else None
    if not rate:
        day = ctx.accounting_date
        raise MappingError(
            "missing_configuration",
            _(
                "Odoo has no %(currency)s exchange rate on or before %(day)s, the "
                "accounting date of this expense from the %(currency)s wallet: add "
                "the %(currency)s rate of %(day)s in Accounting > Configuration > "
                "Currencies, then retry the item.",
                currency=wallet_cur,
                day=day,
            ),
        )
    return Decimal(str(rate))


def company_amounts(move_lines, wallet_cur, rate, ctx):
    """Company-currency minor units of each line, converted from the wallet
    amount at `rate`. The counter line (last) is the wallet total converted; the
    rounding of the other lines goes to the largest base line so the move
    balances."""
    w_exp = Decimal(10) ** ctx.currency_digits[wallet_cur]
    c_exp = Decimal(10) ** ctx.currency_digits[ctx.company_currency]
    out = [
        int((Decimal(w) / w_exp / rate * c_exp).quantize(1, ROUND_HALF_UP))
        for _v, _s, w, _b in move_lines
    ]
    bases = [i for i, x in enumerate(move_lines) if x[3]]
    largest = max(bases, key=lambda i: abs(move_lines[i][2]))
    out[largest] -= sum(out)
    return out


def _with_purchase_amount(label, line, wallet_cur, ctx):
    """A line of a foreign wallet names its purchase amount when it differs
    from the wallet's currency (amount_currency holds the wallet's)."""
    cur, value = _money(line.get("lineAmount"), "inSupplierCurrency")
    if wallet_cur == ctx.company_currency or not cur or cur == wallet_cur:
        return label
    return f"{label} ({_fmt(value, cur, ctx)})"


def _pleo_day(value):
    """Pleo's invoice dates: "YYYY-MM-DD" or a date-time; the day part."""
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def supplier_dates(item, ctx):
    """A bill's dates are the supplier's: issue date and due date of
    `invoiceInformation`, the accounting date when Pleo sends none."""
    info = (item.get("additionalInformation") or {}).get("invoiceInformation") or {}
    issued = _pleo_day(info.get("invoiceDate")) or ctx.accounting_date
    due = _pleo_day(info.get("dueDate")) or max(issued, ctx.accounting_date)
    return {"invoice_date": issued, "invoice_date_due": due}


def effective_rate(item, ctx):
    """Document amount per company amount, as Pleo charged the wallet (a bill
    keeps it so that Odoo recomputes its lines to Pleo's figures)."""
    doc_cur, doc = _money(item.get("amount"), "inSupplierCurrency")
    wallet_cur, wallet = _money(item.get("amount"), "inWalletCurrency")
    if not doc or not wallet:
        return 1.0
    return float(to_major(doc, doc_cur, ctx) / to_major(wallet, wallet_cur, ctx))
