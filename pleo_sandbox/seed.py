"""Seeded data: master data and export items built lazily, one index at a time.

An export job is a list of recipe names plus a count; item `i` is recipe
`i % len(recipes)`, its amounts scaled by the cycle `i // len(recipes)`. Nothing
is generated before it is asked for, so a 50,000-item job costs a few bytes.

Sign convention (all money values are integers in the currency's minor units):
a positive value debits the line accounts and credits the counter side (the
wallet contra account, the employee for out-of-pocket, the vendor for AP); a
negative value does the opposite. Equivalently: positive = money out of the
company (purchases, fees, out-of-pocket, reimbursements paid, wallet unloads),
negative = money back (refunds, wallet top-ups). lineAmount, netAmount and
tax.amount carry the item's sign. netAmount equals lineAmount (Pleo: for an
`inclusive` code the "net" amount includes tax); VAT is in tax.amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from .common import derived_id
from .receipts import make_jpeg, make_pdf

DECIMALS = {"JPY": 0, "KWD": 3}
# Units of DKK per unit of currency; fixed so amounts are reproducible.
FX_DKK = {
    "DKK": "1",
    "EUR": "7.4604",
    "GBP": "8.6120",
    "JPY": "0.04471",
    "KWD": "22.3500",
    "USD": "6.8425",
}

# Pleo categories mapped to Odoo 18 generic chart (generic_coa) account codes.
ACCOUNTS = [
    # code, name in Pleo, used as contra account
    ("600000", "General expenses", False),
    ("611000", "IT equipment", False),
    ("612000", "Rent", False),
    ("620000", "Bank fees", False),
    ("961000", "Software and subscriptions", False),
    ("962000", "Travel and meals", False),
    ("230000", "Employee reimbursements", False),
    ("101401", "Bank", True),
    ("201100", "Pleo DKK wallet", True),
]
WALLET_ACCOUNT = "201100"
# Pleo v3: a wallet per currency, each with its own contra account. The
# company's wallet is DKK; the EUR wallet's account is not a category.
WALLET_ACCOUNTS = {"DKK": WALLET_ACCOUNT, "EUR": "201200"}
WALLET_ACCOUNT_NAMES = {"201200": "Pleo EUR wallet"}
TAX_CODES = [
    # code, name, rate, type, ingoingTaxAccount, outgoingTaxAccount
    ("VAT25", "Danish VAT 25%", 0.25, "inclusive", None, None),
    ("VAT19", "German VAT 19%", 0.19, "inclusive", None, None),
    ("VAT20", "UK VAT 20%", 0.2, "inclusive", None, None),
    ("RC-EU", "EU reverse charge 25%", 0.25, "reverse", "131000", "251000"),
]
# Every account code the seeded items name: categories, contra accounts and the
# reverse-charge tax accounts. An Odoo that books them needs each of these.
ACCOUNT_CODES = (
    *(code for code, _name, _contra in ACCOUNTS),
    *(
        acc
        for *_head, ingoing, outgoing in TAX_CODES
        for acc in (ingoing, outgoing)
        if acc
    ),
)
TAG_GROUPS = [
    # code, name, tags
    (
        "DEPT",
        "Department",
        [("SALES", "Sales"), ("RND", "Research and development"), ("ADMIN", "Admin")],
    ),
    ("PROJ", "Project", [("P-ALPHA", "Project Alpha"), ("P-BETA", "Project Beta")]),
]
VENDORS = {
    "adobe": {
        "name": "Adobe Systems Software Ireland Ltd",
        "code": "V-ADOBE",
        "externalId": "V-ADOBE",
        "country": "IE",
        "defaultCurrency": "EUR",
        "registrationNumber": "344046",
        "taxRegistrationNumber": "IE6364992H",
    },
    "kontor": {
        "name": "Kontorhotellet ApS",
        "code": "V-KONTOR",
        "externalId": "V-KONTOR",
        "country": "DK",
        "defaultCurrency": "DKK",
        "registrationNumber": "38291047",
        "taxRegistrationNumber": "DK38291047",
    },
}
# Seed "migrating": a company that used Pleo before the connector, with master
# data made by hand or by an earlier integration, near-duplicates included, on
# top of the usual set above.
MIGRATING_TAG_GROUPS = [
    # the same name as "Department" in another case, another code
    ("OLD-DEPT", "department", [("SALES-OLD", "sales")]),
]
MIGRATING_TAX_CODES = [
    ("VAT25-OLD", "danish vat 25%", 0.25, "inclusive", None, None),
]
MIGRATING_ACCOUNTS = [
    ("6000-OLD", "general expenses", False),
]
MIGRATING_VENDORS = {
    # An earlier integration's vendor: no external id, the VAT number written
    # with spaces, the name in capitals.
    "kontor-old": {
        "name": "KONTORHOTELLET APS",
        "code": None,
        "externalId": None,
        "country": "DK",
        "defaultCurrency": "DKK",
        "registrationNumber": None,
        "taxRegistrationNumber": "DK 12 34 56 78",
    },
}
USERS = {
    "mette": ("Mette Hansen", "EMP001"),
    "lars": ("Lars Nielsen", "EMP002"),
    "sofie": ("Sofie Berg", "EMP003"),
}
TEAMS = {"sales": ("Sales", "T-SALES"), "rnd": ("Research", "T-RND")}


def _supplier(name, country, mcc, tax_id=None):
    return {
        "code": None,
        "name": name,
        "categoryCode": mcc,
        "country": country,
        "account": None,
        "taxIdentifier": tax_id,
    }


@dataclass(frozen=True)
class Line:
    account: str
    amount: int  # base amount in supplier minor units, signed
    tax: str | None = None
    tags: tuple = ()  # (groupCode, code) pairs


@dataclass(frozen=True)
class Recipe:
    type: str
    currency: str
    lines: tuple
    note: str
    sub_type: str | None = None
    method: str = "journal"
    supplier: dict | None = None
    vendor: str | None = None
    user: str | None = None
    team: str | None = None
    files: tuple = ()
    contra: bool = True
    attendees: tuple = ()
    reconciles_previous: bool = False
    invoice: dict | None = None
    days_ago: int = 1
    time: str = "10:15:00"
    month_edge: bool = False  # 22:30Z on the last day of the previous month
    wallet: str = "DKK"  # the currency of the wallet that paid


ELGIGANTEN = _supplier("Elgiganten A/S", "DK", "5732", "DK25019628")
RECIPES = {
    "card_meal_dkk": Recipe(
        "card_purchase",
        "DKK",
        (Line("962000", 34500, "VAT25", (("DEPT", "SALES"),)),),
        "Client lunch with Nordic Foods",
        supplier=_supplier("Cafe Norden", "DK", "5812", "DK10150817"),
        user="mette",
        team="sales",
        files=("pdf",),
        attendees=("Anna Jensen (Nordic Foods)", "Mette Hansen"),
        month_edge=True,
    ),
    "card_hotel_eur": Recipe(
        "card_purchase",
        "EUR",
        (Line("962000", 24000, "VAT19", (("PROJ", "P-ALPHA"),)),),
        "Hotel in Berlin, customer workshop",
        supplier=_supplier("Hotel Adlon Kempinski", "DE", "7011", "DE136629753"),
        user="lars",
        team="rnd",
        files=("pdf", "jpg"),
        days_ago=9,
        time="07:42:10",
    ),
    "card_conference_gbp": Recipe(
        "card_purchase",
        "GBP",
        (Line("600000", 6366, "VAT20", (("DEPT", "SALES"),)),),
        "Conference ticket London (receipt missing)",
        supplier=_supplier("Eventbrite UK Ltd", "GB", "7399", "GB108169412"),
        user="sofie",
        team="sales",
        days_ago=8,
        time="14:03:55",
    ),
    "card_split_dkk": Recipe(
        "card_purchase",
        "DKK",
        (
            Line("611000", 180000, "VAT25", (("DEPT", "RND"),)),
            Line("600000", 49900, "VAT25", (("DEPT", "ADMIN"),)),
            Line("962000", 20000, "VAT25", (("DEPT", "ADMIN"), ("PROJ", "P-BETA"))),
        ),
        "Monitor, office supplies and team snacks",
        supplier=ELGIGANTEN,
        user="mette",
        team="rnd",
        files=("jpg",),
        days_ago=7,
        time="16:20:00",
    ),
    "refund_dkk": Recipe(
        "refund",
        "DKK",
        (Line("600000", -49900, "VAT25", (("DEPT", "ADMIN"),)),),
        "Returned office supplies",
        supplier=ELGIGANTEN,
        user="mette",
        team="rnd",
        files=("pdf",),
        days_ago=5,
        time="11:00:00",
    ),
    "out_of_pocket_dkk": Recipe(
        "out_of_pocket",
        "DKK",
        (Line("962000", 18500, "VAT25", (("DEPT", "SALES"),)),),
        "Taxi to client meeting, paid privately",
        supplier=_supplier("Taxa 4x35", "DK", "4121", "DK16395578"),
        user="lars",
        team="sales",
        files=("jpg",),
        contra=False,
        days_ago=6,
        time="18:45:00",
    ),
    "reimbursement_dkk": Recipe(
        "direct_reimbursement",
        "DKK",
        (Line("230000", 18500),),
        "Reimbursement of out-of-pocket expenses",
        sub_type="reimbursement_to_employee",
        user="lars",
        reconciles_previous=True,
        days_ago=4,
        time="09:00:00",
    ),
    "wallet_topup_dkk": Recipe(
        "wallet_topup",
        "DKK",
        (Line("101401", -5000000),),
        "Wallet top-up from the company bank account",
        method="none",
        days_ago=10,
        time="08:00:00",
    ),
    "wallet_unload_dkk": Recipe(
        "wallet_unload",
        "DKK",
        (Line("101401", 500000),),
        "Wallet unload to the company bank account",
        method="none",
        days_ago=2,
        time="08:00:00",
    ),
    "card_software_rc": Recipe(
        "card_purchase",
        "EUR",
        (Line("961000", 5999, "RC-EU", (("DEPT", "RND"),)),),
        "Creative Cloud subscription (EU reverse charge)",
        method="accounts_payable",
        supplier=_supplier("ADOBE *CREATIVE CLOUD", "IE", "5734", "IE6364992H"),
        vendor="adobe",
        user="sofie",
        team="rnd",
        files=("pdf",),
        days_ago=3,
        time="03:12:40",
    ),
    "refund_software_rc": Recipe(
        "refund",
        "EUR",
        (Line("961000", -1999, "RC-EU", (("DEPT", "RND"),)),),
        "Creative Cloud seat cancelled (credit note, EU reverse charge)",
        method="accounts_payable",
        supplier=_supplier("ADOBE *CREATIVE CLOUD", "IE", "5734", "IE6364992H"),
        vendor="adobe",
        user="sofie",
        team="rnd",
        files=("pdf",),
        days_ago=2,
        time="09:40:00",
    ),
    "card_meal_jpy": Recipe(
        "card_purchase",
        "JPY",
        (Line("962000", 4500, None, (("PROJ", "P-ALPHA"),)),),
        "Dinner during the Tokyo trip",
        supplier=_supplier("Ichiran Shibuya", "JP", "5812"),
        user="lars",
        team="rnd",
        files=("jpg",),
        days_ago=12,
        time="11:30:00",
    ),
    "card_baggage_kwd": Recipe(
        "card_purchase",
        "KWD",
        (Line("600000", 12500),),
        "Excess baggage fee, Kuwait",
        supplier=_supplier("Kuwait Airways", "KW", "4511"),
        user="sofie",
        team="sales",
        files=("pdf",),
        days_ago=11,
        time="05:05:05",
    ),
    "fee_fx_dkk": Recipe(
        "fee",
        "DKK",
        (Line("620000", 2500),),
        "Foreign exchange fee",
        supplier=_supplier("Pleo", "DK", None),
        days_ago=1,
        time="23:59:00",
    ),
    "invoice_rent_dkk": Recipe(
        "invoice",
        "DKK",
        (Line("612000", 1250000, "VAT25", (("DEPT", "ADMIN"),)),),
        "Office rent",
        method="accounts_payable",
        supplier=_supplier("Kontorhotellet ApS", "DK", "6513", "DK38291047"),
        vendor="kontor",
        files=("pdf",),
        contra=False,
        invoice={"invoiceNumber": "KH-2024-0117", "status": "paid"},
        days_ago=14,
        time="12:00:00",
    ),
}
DEMO = list(RECIPES)
SMALL = ["card_meal_dkk", "refund_dkk", "out_of_pocket_dkk", "wallet_topup_dkk"]
# A second wallet, in EUR, of the DKK company: purchases in EUR, USD and GBP,
# a refund, a top-up and an unload. Not in DEMO: it needs a EUR wallet account
# and Odoo rates.
RECIPES.update(
    {
        "eur_wallet_card_eur": Recipe(
            "card_purchase",
            "EUR",
            (Line("962000", 18650, "VAT19", (("PROJ", "P-ALPHA"),)),),
            "Team dinner in Hamburg",
            supplier=_supplier("Restaurant Vlet", "DE", "5812", "DE118716591"),
            user="lars",
            team="rnd",
            files=("pdf",),
            days_ago=6,
            time="19:40:00",
            wallet="EUR",
        ),
        "eur_wallet_card_usd": Recipe(
            "card_purchase",
            "USD",
            (Line("961000", 4999, None, (("DEPT", "RND"),)),),
            "GitHub Team subscription",
            supplier=_supplier("GitHub Inc", "US", "5734"),
            user="sofie",
            team="rnd",
            files=("pdf",),
            days_ago=5,
            time="06:10:00",
            wallet="EUR",
        ),
        "eur_wallet_card_gbp": Recipe(
            "card_purchase",
            "GBP",
            (Line("962000", 12780, "VAT20", (("DEPT", "SALES"),)),),
            "Train London - Cambridge, customer visit",
            supplier=_supplier("LNER", "GB", "4112", "GB238764530"),
            user="mette",
            team="sales",
            files=("jpg",),
            days_ago=4,
            time="08:25:00",
            wallet="EUR",
        ),
        "eur_wallet_refund": Recipe(
            "refund",
            "EUR",
            (Line("962000", -4650, "VAT19", (("PROJ", "P-ALPHA"),)),),
            "Cancelled dinner reservation",
            supplier=_supplier("Restaurant Vlet", "DE", "5812", "DE118716591"),
            user="lars",
            team="rnd",
            files=("pdf",),
            days_ago=3,
            time="12:00:00",
            wallet="EUR",
        ),
        "eur_wallet_topup": Recipe(
            "wallet_topup",
            "EUR",
            (Line("101401", -500000),),
            "EUR wallet top-up from the company bank account",
            method="none",
            days_ago=10,
            time="08:00:00",
            wallet="EUR",
        ),
        "eur_wallet_unload": Recipe(
            "wallet_unload",
            "EUR",
            (Line("101401", 100000),),
            "EUR wallet unload to the company bank account",
            method="none",
            days_ago=2,
            time="08:00:00",
            wallet="EUR",
        ),
    }
)
EUR_WALLET = [name for name, r in RECIPES.items() if r.wallet == "EUR"]
# Card purchases in DKK, one receipt each, tags on one in three: the workload of
# the export benchmark (`{"seed": N, "mix": "card"}`). Not in DEMO.
RECIPES.update(
    {
        "card_fuel_dkk": Recipe(
            "card_purchase",
            "DKK",
            (Line("600000", 52000, "VAT25"),),
            "Fuel for the company car",
            supplier=_supplier("Circle K Danmark", "DK", "5541", "DK29185537"),
            user="lars",
            team="sales",
            files=("pdf",),
            days_ago=3,
            time="07:55:00",
        ),
        "card_parking_dkk": Recipe(
            "card_purchase",
            "DKK",
            (Line("600000", 6000, "VAT25"),),
            "Parking at the client's office",
            supplier=_supplier("EasyPark A/S", "DK", "7523", "DK30806883"),
            user="sofie",
            team="sales",
            files=("jpg",),
            days_ago=2,
            time="13:20:00",
        ),
    }
)
CARD = ["card_meal_dkk", "card_fuel_dkk", "card_parking_dkk"]
DEMO_SECOND_JOB = ["card_meal_dkk", "card_split_dkk", "out_of_pocket_dkk"]


def recipes_for(seed) -> list[str]:
    """Recipe names of a job for a seed: "demo", "small", "eur_wallet", "card"
    or a kind list."""
    if isinstance(seed, list | tuple):
        unknown = [k for k in seed if k not in RECIPES]
        if unknown or not seed:
            raise ValueError(f"Unknown kinds {unknown}; known: {', '.join(RECIPES)}")
        return list(seed)
    if seed in ("demo", None):
        return DEMO
    if seed == "small":
        return SMALL
    if seed == "eur_wallet":
        return EUR_WALLET
    if seed == "card":
        return CARD
    raise ValueError(f"Unknown seed {seed!r}")


# --- money --------------------------------------------------------------------


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def convert(value: int, src: str, dst: str) -> int:
    if src == dst:
        return value
    major = Decimal(value) / (10 ** DECIMALS.get(src, 2))
    rate = Decimal(FX_DKK[src]) / Decimal(FX_DKK[dst])
    return _round(major * rate * (10 ** DECIMALS.get(dst, 2)))


def money(currency, value):
    return {"currency": currency, "value": value}


def pair(src_cur, src_val, dst_cur, dst_val):
    return {
        "inSupplierCurrency": money(src_cur, src_val),
        "inWalletCurrency": money(dst_cur, dst_val),
    }


def _scale(lines, factor):
    return [_round(Decimal(ln.amount) * factor) for ln in lines]


def _tax(amount: int, rate: float, kind: str) -> int:
    r = Decimal(str(rate))
    if kind == "reverse":
        return _round(Decimal(amount) * r)
    return _round(Decimal(amount) * r / (1 + r))


def _fmt(value, currency):
    digits = DECIMALS.get(currency, 2)
    major = Decimal(value) / (10**digits) if digits else Decimal(value)
    return f"{major:,.{digits}f} {currency}"


# --- items --------------------------------------------------------------------


@dataclass
class ItemSpec:
    """Everything needed to build one export item, derived from (job, index)."""

    entry_id: str
    company_id: str
    recipe_name: str
    cycle: int
    reconciliation_id: str
    previous_reconciliation_id: str | None
    created_at: float  # the job's creation time: items are dated before it
    receipts: bool = True
    vendor_based: bool = True  # False: legacy items, no bookkeeping nor vendor

    @property
    def recipe(self) -> Recipe:
        return RECIPES[self.recipe_name]


def _factor(cycle: int) -> Decimal:
    return Decimal(1) + Decimal((cycle * 37) % 50) / 100 if cycle else Decimal(1)


def _date(spec: ItemSpec) -> str:
    recipe = spec.recipe
    day = datetime.fromtimestamp(spec.created_at, timezone.utc).date()
    if recipe.month_edge:
        day = day.replace(day=1) - timedelta(days=1)
        clock = "22:30:00"
    else:
        day -= timedelta(days=recipe.days_ago + spec.cycle % 20)
        clock = recipe.time
    return f"{day.isoformat()}T{clock}Z"


def _account(code):
    name = WALLET_ACCOUNT_NAMES.get(code) or next(
        n for c, n, _ in ACCOUNTS if c == code
    )
    return {
        "id": derived_id("account", code),
        "name": name,
        "code": code,
        "identifier": code,
    }


def _tax_code(code):
    return next(t for t in TAX_CODES if t[0] == code)


def _lines(spec: ItemSpec, wallet: str):
    recipe = spec.recipe
    supplier_amounts = _scale(recipe.lines, _factor(spec.cycle))
    total_s = sum(supplier_amounts)
    total_w = convert(total_s, recipe.currency, wallet)
    wallet_amounts = [convert(a, recipe.currency, wallet) for a in supplier_amounts]
    wallet_amounts[-1] = total_w - sum(wallet_amounts[:-1])  # lines sum to the total
    out, tax_total = [], 0
    for n, (line, s_val, w_val) in enumerate(
        zip(recipe.lines, supplier_amounts, wallet_amounts, strict=True)
    ):
        amount = pair(recipe.currency, s_val, wallet, w_val)
        entry = {
            "accountingEntryLineId": derived_id("line", spec.entry_id, n),
            "lineAmount": amount,
            "netAmount": amount,
            "account": _account(line.account),
            "tags": [
                {"id": derived_id("tag", g, c), "code": c, "groupCode": g}
                for g, c in line.tags
            ],
            "tax": None,
        }
        if line.tax:
            code, _name, rate, kind, ingoing, outgoing = _tax_code(line.tax)
            t_s, t_w = _tax(s_val, rate, kind), _tax(w_val, rate, kind)
            if kind != "reverse":  # reverse-charge VAT is not on the receipt
                tax_total += t_s
            entry["tax"] = {
                "id": derived_id("tax", code),
                "code": code,
                "rate": rate,
                "type": kind,
                "amount": pair(recipe.currency, t_s, wallet, t_w),
            }
            if kind == "reverse":
                entry["tax"]["ingoingTaxAccount"] = ingoing
                entry["tax"]["outgoingTaxAccount"] = outgoing
        out.append(entry)
    return out, total_s, total_w, tax_total


def _file_names(spec: ItemSpec):
    if not spec.receipts:
        return []
    kinds = spec.recipe.files
    return [
        (f"receipt-{spec.reconciliation_id}-{n + 1}.{kind}", kind)
        for n, kind in enumerate(kinds)
    ]


def _file_bytes(spec: ItemSpec, n: int, total_s: int, tax_s: int) -> bytes:
    recipe = spec.recipe
    name, kind = _file_names(spec)[n]
    title = {"refund": "CREDIT NOTE", "invoice": "INVOICE"}.get(recipe.type, "RECEIPT")
    if kind == "jpg":
        return make_jpeg(f"{title} {spec.entry_id} {n + 1}")
    supplier = (recipe.supplier or {}).get("name") or "Pleo"
    lines = [
        title,
        supplier,
        _date(spec),
        f"Total: {_fmt(total_s, recipe.currency)}",
        f"VAT: {_fmt(tax_s, recipe.currency)}",
        f"Reference: {spec.reconciliation_id}",
        f"Entry: {spec.entry_id}",
        f"File {n + 1} of {len(recipe.files)}: {name}",
    ]
    if recipe.invoice:
        lines.insert(1, f"Invoice number: {invoice_number(spec)}")
    return make_pdf(lines)


MIME = {"pdf": "application/pdf", "jpg": "image/jpeg"}
INVOICE_ISSUED_DAYS_BEFORE = 12
INVOICE_TERM_DAYS = 30


def invoice_number(spec: ItemSpec) -> str:
    """The supplier's number: each cycle of a recipe is another invoice."""
    number = spec.recipe.invoice["invoiceNumber"]
    return f"{number}-{spec.cycle}" if spec.cycle else number


def receipt(spec: ItemSpec, n: int):
    """(name, mime type, bytes) of file `n` of an item, or None."""
    names = _file_names(spec)
    if not 0 <= n < len(names):
        return None
    _lines_, total_s, _w, tax_s = _lines(spec, spec.recipe.wallet)
    name, kind = names[n]
    return name, MIME[kind], _file_bytes(spec, n, total_s, tax_s)


def build_item(spec: ItemSpec, link, base_url: str) -> dict:
    """The ExportItemV3 dict; `link(n, name)` returns file n's download URL."""
    recipe = spec.recipe
    wallet = recipe.wallet
    lines, total_s, total_w, tax_s = _lines(spec, wallet)
    files = []
    for n, (name, kind) in enumerate(_file_names(spec)):
        size = len(_file_bytes(spec, n, total_s, tax_s))
        files.append({"url": link(n, name), "type": MIME[kind], "size": size})
    user = None
    if recipe.user:
        name, code = USERS[recipe.user]
        user = {"id": derived_id("user", recipe.user), "name": name, "code": code}
    team = None
    if recipe.team:
        name, code = TEAMS[recipe.team]
        team = {"id": derived_id("team", recipe.team), "name": name, "code": code}
    vendor = None
    if recipe.vendor and spec.vendor_based:
        vendor = {"id": derived_id("vendor", recipe.vendor), **VENDORS[recipe.vendor]}
    contra = None
    if recipe.contra:
        contra = _account(WALLET_ACCOUNTS[wallet])
    date = _date(spec)
    invoice = None
    if recipe.invoice:
        # Issued before it was paid, due after: the three dates differ, as in
        # real life, so a connector that mixes them up shows it.
        paid = datetime.fromisoformat(date[:10])
        issued = paid - timedelta(days=INVOICE_ISSUED_DAYS_BEFORE)
        due = issued + timedelta(days=INVOICE_TERM_DAYS)
        invoice = {
            **recipe.invoice,
            "invoiceNumber": invoice_number(spec),
            "invoiceDate": f"{issued:%Y-%m-%d}T00:00:00Z",
            "dueDate": f"{due:%Y-%m-%d}T00:00:00Z",
            "paymentDate": f"{paid:%Y-%m-%d}T00:00:00Z",
            "supplierBankAccount": {
                "bankName": "Danske Bank",
                "country": "DK",
                "accountNumber": "4001234567",
                "bankCode": "3000",
                "bic": "DABADKKK",
                "iban": "DK5030004001234567",
            },
        }
    reconciled = None
    if recipe.reconciles_previous and spec.previous_reconciliation_id:
        reconciled = [spec.previous_reconciliation_id]
    self_link = f"{base_url}/_sandbox/entries/{spec.entry_id}"
    return {
        "accountingEntryId": spec.entry_id,
        "companyId": spec.company_id,
        "type": recipe.type,
        "subType": recipe.sub_type,
        "date": date,
        "amount": pair(recipe.currency, total_s, wallet, total_w),
        "note": recipe.note,
        "files": files,
        "supplier": recipe.supplier,
        "vendor": vendor,
        "user": user,
        "team": team,
        "contraAccount": contra,
        "bookkeeping": {"method": recipe.method} if spec.vendor_based else None,
        "servicePeriod": None,
        "additionalInformation": {
            "reconciliationId": spec.reconciliation_id,
            "reconciledEntries": reconciled,
            "attendees": list(recipe.attendees) or None,
            "invoiceInformation": invoice,
        },
        "accountingEntryLines": lines,
        "_links": {"web": {"exportItem": self_link}, "api": {"exportItem": self_link}},
    }
