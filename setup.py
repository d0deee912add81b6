"""Installs the pure parts of pleo_connector for use outside Odoo.

`pleo_connector.pleo` is the Pleo API client and `pleo_sandbox` the local Pleo
look-alike server. The Odoo addon itself is installed by putting this directory
on Odoo's addons path.
"""

from setuptools import setup

setup(
    name="pleo-connector",
    version="18.0.1.0.0",
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
