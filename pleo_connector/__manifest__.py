# Copyright 2026 pleo_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Pleo Connector",
    "summary": "Book Pleo expenses in Odoo and keep tags, accounts, taxes "
    "and vendors in sync with Pleo",
    "version": "1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/pleo-connector/pleo_connector",
    "author": "pleo_connector contributors",
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
        "security/pleo_export_security.xml",
        "security/pleo_sync_security.xml",
        "security/pleo_config_check_security.xml",
        "views/pleo_connection_views.xml",
        "views/pleo_export_views.xml",
        "views/pleo_menus.xml",
        "views/pleo_connection_sync_views.xml",
        "views/pleo_export_menus.xml",
        "views/pleo_config_check_views.xml",
        "views/pleo_setup_wizard_views.xml",
        "views/pleo_oauth_templates.xml",
        "views/account_journal_dashboard_views.xml",
        "views/res_config_settings_views.xml",
        "data/pleo_activity_data.xml",
        "data/pleo_export_cron.xml",
        "data/pleo_sync_cron.xml",
    ],
    "demo": ["demo/pleo_demo.xml"],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_tests": [
            "pleo_connector/static/tests/tours/*.js",
        ],
    },
}
