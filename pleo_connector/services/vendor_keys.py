# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Keys matching Odoo partners and Pleo vendors (pure Python, no Odoo)."""

import re


def vat_key(vat):
    """A VAT number without spaces, dots or dashes, upper case; None if empty."""
    return re.sub(r"[^0-9A-Za-z]", "", vat or "").upper() or None
