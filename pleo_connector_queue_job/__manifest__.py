# Copyright 2026 pleo_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Pleo Connector: Job Queue",
    "summary": "Run each Pleo connection's exports and syncs as queue jobs, "
    "several connections in parallel",
    "version": "1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/pleo-connector/pleo_connector",
    "author": "pleo_connector contributors",
    "maintainers": ["pleo-connector"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "application": False,
    "installable": True,
    "auto_install": True,
    "depends": ["pleo_connector", "queue_job"],
    "data": ["data/queue_job_data.xml"],
}
