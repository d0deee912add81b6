"""Pleo export item -> account.move values, without Odoo.

Items come from the sandbox's own generator, so the payloads are the ones the
connector meets in the Odoo tests and the benchmark.
"""

import time
from datetime import date

import pytest

from pleo_connector.services.export_mapping import (
    MappingContext,
    MappingError,
    TaxInfo,
    map_export_item,
    move_type_for,
)
from pleo_sandbox import seed

ACCOUNT_IDS = {code: n for n, code in enumerate(seed.ACCOUNT_CODES, start=1)}
WALLET, OOP, PAYABLE, JOURNAL, PURCHASE = 201100, 230000, 211000, 7, 8


def make_ctx(**overrides):
    taxes = {
        "VAT25": TaxInfo(
            id=25,
            name="25% purchase",
            amount=25.0,
            amount_type="percent",
            invoice_lines=[(100.0, ACCOUNT_IDS["131000"], [901], 1001)],
            refund_lines=[(100.0, ACCOUNT_IDS["131000"], [902], 1002)],
            invoice_base_tags=[911],
            refund_base_tags=[912],
        ),
        "VAT19": TaxInfo(
            id=19,
            name="19% purchase",
            amount=19.0,
            amount_type="percent",
            invoice_lines=[(100.0, ACCOUNT_IDS["131000"], [], 1003)],
            refund_lines=[(100.0, ACCOUNT_IDS["131000"], [], 1004)],
        ),
        "VAT20": TaxInfo(
            id=20,
            name="20% purchase",
            amount=20.0,
            amount_type="percent",
            invoice_lines=[(100.0, ACCOUNT_IDS["131000"], [], 1005)],
            refund_lines=[(100.0, ACCOUNT_IDS["131000"], [], 1006)],
        ),
        "RC-EU": TaxInfo(
            id=99,
            name="EU reverse charge",
            amount=25.0,
            amount_type="percent",
            invoice_lines=[
                (100.0, ACCOUNT_IDS["131000"], [903], 1007),
                (-100.0, ACCOUNT_IDS["251000"], [904], 1008),
            ],
            refund_lines=[
                (100.0, ACCOUNT_IDS["131000"], [], 1009),
                (-100.0, ACCOUNT_IDS["251000"], [], 1010),
            ],
        ),
    }
    values = {
        "company_currency": "DKK",
        "currency_digits": {"DKK": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KWD": 3},
        "currency_ids": {"DKK": 1, "EUR": 2, "GBP": 3, "JPY": 4, "KWD": 5},
        "accounts": dict(ACCOUNT_IDS),
        "taxes": taxes,
        "analytic": {
            ("DEPT", "SALES"): 51,
            ("DEPT", "RND"): 52,
            ("DEPT", "ADMIN"): 53,
            ("PROJ", "P-ALPHA"): 61,
            ("PROJ", "P-BETA"): 62,
        },
        "journal_id": JOURNAL,
        "purchase_journal_id": PURCHASE,
        "wallets": {"DKK": (WALLET, None)},
        "out_of_pocket_account_id": OOP,
        "payable_account_id": PAYABLE,
        "employees": {"EMP001": 501, "EMP002": 502, "EMP003": 503},
        "vendors": {"V-ADOBE": 601, "V-KONTOR": 602},
        "accounting_date": date(2026, 6, 1),
    }
    values.update(overrides)
    return MappingContext(**values)


def item(recipe, cycle=0):
    spec = seed.ItemSpec(
        entry_id=f"00000000-0000-0000-0000-{cycle:012d}",
        company_id="company",
        recipe_name=recipe,
        cycle=cycle,
        reconciliation_id="B000001",
        previous_reconciliation_id="B000000",
        created_at=time.time(),
    )
    return seed.build_item(spec, lambda n, name: f"http://x/{name}", "http://x")


def lines(vals):
    return [cmd[2] for cmd in vals["line_ids"]]


def balanced(vals):
    return round(sum(x["balance"] for x in lines(vals)), 6) == 0


@pytest.mark.parametrize("recipe", seed.DEMO)
def test_every_demo_item_maps_and_balances(recipe):
    for cycle in range(5):
        vals = map_export_item(item(recipe, cycle), make_ctx())
        assert balanced(vals), recipe
        total = sum(x["amount_currency"] for x in lines(vals))
        assert round(total, 6) == 0


def test_untagged_lines_are_left_to_odoos_distribution_models_when_it_has_some():
    with_models = lines(map_export_item(item("card_meal_dkk"), make_ctx()))
    # The tagged base line keeps Pleo's tags; the others are Odoo's to fill.
    assert with_models[0]["analytic_distribution"] == {"51": 100.0}
    assert all("analytic_distribution" not in x for x in with_models[1:])
    ctx = make_ctx(distribution_models=False)
    without = lines(map_export_item(item("card_meal_dkk"), ctx))
    assert without[0]["analytic_distribution"] == {"51": 100.0}
    assert all(x["analytic_distribution"] is False for x in without[1:])


def test_card_purchase_with_vat_debits_expense_and_vat_credits_wallet():
    payload = item("card_meal_dkk")
    vals = map_export_item(payload, make_ctx())
    assert vals["move_type"] == "entry"
    assert vals["journal_id"] == JOURNAL
    assert vals["pleo_accounting_entry_id"] == payload["accountingEntryId"]
    base, tax, wallet = lines(vals)
    assert base["account_id"] == ACCOUNT_IDS["962000"]
    assert base["balance"] == 276.0  # 345.00 gross - 69.00 VAT
    assert base["tax_ids"] == [(6, 0, [25])]
    assert base["tax_tag_ids"] == [(6, 0, [911])]  # the tax's base grid
    assert base["analytic_distribution"] == {"51": 100.0}
    assert tax["balance"] == 69.0
    assert tax["tax_repartition_line_id"] == 1001
    assert tax["tax_tag_ids"] == [(6, 0, [901])]
    assert wallet["account_id"] == WALLET
    assert wallet["balance"] == -345.0
    # Odoo's own values for these lines, given: no account default taxes.
    assert (base["display_type"], base["quantity"]) == ("product", 1.0)
    assert (tax["display_type"], tax["quantity"]) == ("tax", 0.0)
    assert (wallet["display_type"], wallet["quantity"]) == ("product", 1.0)
    assert tax["tax_ids"] == wallet["tax_ids"] == [(6, 0, [])]
    assert "Open in Pleo" in vals["narration"]
    assert vals["ref"] == "B000001"


def test_refund_credits_expense_uses_refund_repartition():
    vals = map_export_item(item("refund_dkk"), make_ctx())
    base, tax, wallet = lines(vals)
    assert base["balance"] == -399.2
    assert tax["balance"] == -99.8
    assert tax["tax_repartition_line_id"] == 1002
    assert base["tax_tag_ids"] == [(6, 0, [912])]  # the refund's base grid
    assert wallet["balance"] == 499.0


def test_foreign_currency_keeps_purchase_amount_and_wallet_balance():
    payload = item("card_hotel_eur")
    vals = map_export_item(payload, make_ctx())
    wallet_dkk = payload["amount"]["inWalletCurrency"]["value"] / 100
    assert vals["currency_id"] == 2
    base, tax, wallet = lines(vals)
    assert wallet["amount_currency"] == -240.0
    assert wallet["balance"] == -wallet_dkk
    assert base["currency_id"] == 2 and tax["amount_currency"] == 38.32


def test_minor_units_follow_currency_exponent():
    jpy = lines(map_export_item(item("card_meal_jpy"), make_ctx()))
    assert jpy[0]["amount_currency"] == 4500.0
    kwd = lines(map_export_item(item("card_baggage_kwd"), make_ctx()))
    assert kwd[0]["amount_currency"] == 12.5


def test_reverse_charge_nets_to_zero_on_two_tax_lines():
    vals = map_export_item(item("card_software_rc"), make_ctx())
    assert vals["move_type"] == "in_invoice"
    assert vals["partner_id"] == 601
    base, vat_in, vat_out, payable = lines(vals)
    assert base["amount_currency"] == 59.99
    assert vat_in["amount_currency"] == 15.0
    assert vat_out["amount_currency"] == -15.0
    assert payable["display_type"] == "payment_term"
    assert payable["account_id"] == PAYABLE
    assert payable["amount_currency"] == -59.99


def test_out_of_pocket_owes_the_employee():
    vals = map_export_item(item("out_of_pocket_dkk"), make_ctx())
    counter = lines(vals)[-1]
    assert counter["account_id"] == OOP
    assert counter["partner_id"] == 502
    assert counter["balance"] == -185.0


def test_wallet_topup_is_a_journal_entry_debiting_the_wallet():
    vals = map_export_item(item("wallet_topup_dkk"), make_ctx())
    bank, wallet = lines(vals)
    assert vals["move_type"] == "entry"
    assert bank["account_id"] == ACCOUNT_IDS["101401"] and bank["balance"] == -50000.0
    assert wallet["account_id"] == WALLET and wallet["balance"] == 50000.0


def test_split_purchase_tags_on_two_plans():
    vals = map_export_item(item("card_split_dkk"), make_ctx())
    bases = [x for x in lines(vals) if x.get("tax_ids") and x["tax_ids"][0][2]]
    assert len(bases) == 3
    assert bases[2]["analytic_distribution"] == {"53,62": 100.0}


@pytest.mark.parametrize(
    ("change", "failure"),
    [
        ({"accounts": {}}, "account_unknown"),
        ({"taxes": {}}, "tax_code_unknown"),
        ({"analytic": {}}, "tag_unknown"),
        ({"currency_digits": {"DKK": 2}}, "missing_configuration"),
        ({"company_currency": "EUR"}, "missing_configuration"),  # no EUR rate
    ],
)
def test_unknown_master_data_fails_with_pleo_reason(change, failure):
    with pytest.raises(MappingError) as err:
        map_export_item(item("card_hotel_eur"), make_ctx(**change))
    assert err.value.failure_type == failure
    assert err.value.message


def test_unknown_vendor_fails_vendor_unknown():
    with pytest.raises(MappingError) as err:
        map_export_item(item("invoice_rent_dkk"), make_ctx(vendors={}))
    assert err.value.failure_type == "vendor_unknown"
    assert "Kontorhotellet" in err.value.message


def test_vat_that_odoo_rate_cannot_explain_fails_with_figures():
    ctx = make_ctx()
    ctx.taxes["VAT25"].amount = 15.0
    with pytest.raises(MappingError) as err:
        map_export_item(item("card_meal_dkk"), ctx)
    assert err.value.failure_type == "validation_failure"
    assert "69.00 DKK" in err.value.message and "15.0%" in err.value.message


def test_rounding_difference_goes_to_a_base_line():
    payload = item("card_split_dkk")
    payload["amount"]["inWalletCurrency"]["value"] += 1  # Pleo total 0.01 off
    vals = map_export_item(payload, make_ctx())
    assert balanced(vals)
    assert lines(vals)[-1]["balance"] == -(
        payload["amount"]["inWalletCurrency"]["value"] / 100
    )


def test_missing_out_of_pocket_account_is_missing_configuration():
    with pytest.raises(MappingError) as err:
        map_export_item(
            item("out_of_pocket_dkk"), make_ctx(out_of_pocket_account_id=None)
        )
    assert err.value.failure_type == "missing_configuration"


def test_move_type_for_ap_refund():
    payload = item("card_software_rc")
    payload["amount"]["inWalletCurrency"]["value"] *= -1
    assert move_type_for(payload) == "in_refund"
