# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Words shown for Pleo's codes on the export queue (selection labels).

Pleo's item types are an open list: a type not named here is kept as "other"
on the queue (the item's data keeps Pleo's own value).
"""

from ..pleo import enums

ITEM_TYPES = [
    ("card_purchase", "Card purchase"),
    ("fee", "Fee"),
    ("refund", "Refund"),
    ("chargeback", "Chargeback"),
    ("cashback", "Cashback"),
    ("overdraft", "Overdraft"),
    ("invoice", "Invoice"),
    ("invoice_payment", "Invoice payment"),
    ("card_invoice", "Card invoice"),
    ("out_of_pocket", "Out-of-pocket expense"),
    ("mileage", "Mileage"),
    ("per_diem", "Per diem"),
    ("direct_reimbursement", "Reimbursement"),
    ("external_reimbursement", "External reimbursement"),
    ("wallet_topup", "Wallet top-up"),
    ("wallet_unload", "Wallet unload"),
    ("balance_amendment", "Balance amendment"),
    ("other", "Other"),
]
BOOKKEEPING_METHODS = [
    ("journal", "Journal entry"),
    ("accounts_payable", "Vendor bill"),
    ("none", "Journal entry (wallet)"),
]
ITEM_FAILURE_LABELS = {
    "receipt_upload_failure": "Receipt upload failed",
    "receipt_download_failure": "Receipt could not be fetched",
    "receipt_file_size_limit_exceeded": "Receipt too large",
    "receipt_conversion_failure": "Receipt could not be converted",
    "unexpected_failure": "Unexpected error",
    "invalid_configuration": "Configuration to correct",
    "missing_configuration": "Configuration missing",
    "accounting_system_authentication_failure": "Odoo refused the login",
    "accounting_system_rate_limit": "Odoo busy",
    "accounting_system_unreachable": "Odoo unreachable",
    "validation_failure": "Data to correct",
    "accounting_system_validation_failure": "Odoo refused the entry",
    "authorization_failure": "Not authorised",
    "accounting_system_timeout": "Odoo timed out",
    "vendor_unknown": "Unknown vendor",
    "account_unknown": "Unknown account",
    "tax_code_unknown": "Unknown tax code",
    "tag_unknown": "Unknown tag",
}
JOB_FAILURE_LABELS = {
    "invalid_configuration": "Configuration to correct",
    "missing_configuration": "Configuration missing",
    "authentication_failure": "Pleo refused the login",
    "accounting_system_authentication_failure": "Odoo refused the login",
    "pleo_rate_limit": "Pleo busy",
    "accounting_system_rate_limit": "Odoo busy",
    "service_unreachable": "Pleo unreachable",
    "accounting_system_unreachable": "Odoo unreachable",
    "validation_failure": "Data to correct",
    "authorization_failure": "Not authorised",
    "integration_unusable": "Integration unusable",
    "job_expired": "Expired in Pleo",
    "service_timeout": "Pleo timed out",
    "accounting_system_timeout": "Odoo timed out",
    "canceled_by_user": "Cancelled in Pleo",
}
ITEM_FAILURE_TYPES = [(v, ITEM_FAILURE_LABELS[v]) for v in enums.ITEM_FAILURE_TYPES]
JOB_FAILURE_TYPES = [(v, JOB_FAILURE_LABELS[v]) for v in enums.JOB_FAILURE_TYPES]
KNOWN_ITEM_TYPES = {value for value, _label in ITEM_TYPES}
