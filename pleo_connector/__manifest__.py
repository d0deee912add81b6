# Copyright 2026 pleo_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Pleo Connector",
    "summary": "Book Pleo expenses in Odoo and keep tags, accounts, taxes "
    "and vendors in sync with Pleo",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/pleo-connector/pleo_connector",
    "author": "pleo_connector contributors, Odoo Community Association (OCA)",
    "maintainers": ["pleo-connector"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "application": False,
    "installable": True,
    "depends": ["account", "analytic", "mail"],
    "external_dependencies": {
        "python": ["requests_oauthlib", "standardwebhooks", "requests_ratelimiter"],
    },
    "data": [
        "security/pleo_security.xml",
        "security/ir.model.access.csv",
        "views/pleo_connection_views.xml",
        "views/pleo_menus.xml",
    ],
}
