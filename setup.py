"""Installs the pure parts of pleo_connector for use outside Odoo.

`pleo_connector.pleo` is the Pleo API client and `pleo_sandbox` the local Pleo
look-alike server. The Odoo addons are installed from their own wheels
(scripts/build_wheels.py) or by putting this directory on Odoo's addons path.
The version is the addon's (its manifest's), without an Odoo series: the client
does not depend on Odoo.
"""

import ast
from pathlib import Path

from setuptools import setup

MANIFEST = Path(__file__).resolve().parent / "pleo_connector" / "__manifest__.py"
VERSION = ast.literal_eval(MANIFEST.read_text(encoding="utf-8"))["version"]

setup(
    name="pleo-connector",
    version=VERSION,
    description="Pleo API client and Pleo sandbox of the pleo_connector Odoo addon",
    license="LGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=["pleo_connector", "pleo_connector.pleo", "pleo_sandbox"],
    include_package_data=True,
    package_data={"pleo_sandbox": ["static/*"]},
    install_requires=[
        "requests",
        "requests-oauthlib>=1.3",
        "standardwebhooks>=1.0",
        "requests-ratelimiter>=0.7",
    ],
    entry_points={"console_scripts": ["pleo-sandbox = pleo_sandbox.__main__:main"]},
)
