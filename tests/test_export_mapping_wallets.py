"""Foreign-currency wallets and supplier invoice dates, without Odoo."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from test_export_mapping import ACCOUNT_IDS, balanced, item, lines, make_ctx

from pleo_connector.services.export_mapping import MappingError, map_export_item

EUR_WALLET = 201200
# Odoo's rate: EUR per DKK (1 EUR = 7.5 DKK).
RATE = Decimal(1) / Decimal("7.5")


def eur_ctx(**overrides):
    digits = {"DKK": 2, "EUR": 2, "GBP": 2, "USD": 2, "JPY": 0, "KWD": 3}
    values = {
        "currency_digits": digits,
        "currency_ids": {"DKK": 1, "EUR": 2, "GBP": 3, "JPY": 4, "KWD": 5, "USD": 6},
        "accounts": {**ACCOUNT_IDS, "201200": EUR_WALLET},
        "wallets": {"DKK": (201100, None), "EUR": (EUR_WALLET, 9)},
        "rate_of": lambda cur, day: RATE if cur == "EUR" else None,
    }
    values.update(overrides)
    return make_ctx(**values)


@pytest.mark.parametrize(
    "recipe",
    [
        "eur_wallet_card_eur",
        "eur_wallet_card_usd",
        "eur_wallet_card_gbp",
        "eur_wallet_refund",
        "eur_wallet_topup",
        "eur_wallet_unload",
    ],
)
def test_eur_wallet_items_book_in_eur_at_odoos_rate(recipe):
    payload = item(recipe)
    vals = map_export_item(payload, eur_ctx())
    assert balanced(vals)
    assert vals["currency_id"] == 2
    assert vals["journal_id"] == 9
    wallet = lines(vals)[-1]
    assert wallet["account_id"] == EUR_WALLET
    paid = payload["amount"]["inWalletCurrency"]
    assert paid["currency"] == "EUR"
    assert wallet["amount_currency"] == -paid["value"] / 100
    dkk = (Decimal(-paid["value"]) * Decimal("0.075")).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert wallet["balance"] == float(dkk)
    assert all(x["currency_id"] == 2 for x in lines(vals))
    assert round(sum(x["amount_currency"] for x in lines(vals)), 6) == 0


def test_eur_wallet_vat_is_pleos_in_eur_and_purchase_amount_is_named():
    payload = item("eur_wallet_card_gbp")
    vals = map_export_item(payload, eur_ctx())
    base, tax, _wallet = lines(vals)
    vat_eur = payload["accountingEntryLines"][0]["tax"]["amount"]["inWalletCurrency"]
    assert tax["amount_currency"] == vat_eur["value"] / 100
    assert "127.80 GBP" in base["name"]


def test_eur_wallet_without_odoo_rate_fails_naming_the_rate():
    ctx = eur_ctx(rate_of=lambda cur, day: None)
    with pytest.raises(MappingError) as err:
        map_export_item(item("eur_wallet_card_eur"), ctx)
    assert err.value.failure_type == "missing_configuration"
    assert "EUR" in err.value.message and "2026-06-01" in err.value.message


def test_bill_dates_are_the_suppliers():
    payload = item("invoice_rent_dkk")
    info = payload["additionalInformation"]["invoiceInformation"]
    vals = map_export_item(payload, make_ctx())
    assert vals["date"] == date(2026, 6, 1)
    assert vals["invoice_date"] == date.fromisoformat(info["invoiceDate"][:10])
    assert vals["invoice_date_due"] == date.fromisoformat(info["dueDate"][:10])
    assert vals["invoice_date"] != vals["invoice_date_due"]
    term = [x for x in lines(vals) if x.get("display_type") == "payment_term"]
    assert term[0]["date_maturity"] == vals["invoice_date_due"]
