PYTHON ?= python3

.PHONY: install lint test test-pure test-odoo test-wheel wheels readme demo bench pot

install:
	$(PYTHON) -m pip install -q -r test-requirements.txt -e .

# pre-commit's hooks (.pre-commit-config.yaml), each installed from PyPI.
lint: install
	$(PYTHON) -m pre_commit run --all-files --show-diff-on-failure

test-pure: install
	$(PYTHON) -m pytest tests

# Once per Odoo series this machine has (18.0, 19.0), each in its own database.
test-odoo: install
	PYTHON=$(PYTHON) scripts/test_odoo_all.sh

# Once per Odoo series: the wheels built, installed into a fresh virtual
# environment and the addons run by Odoo from there.
test-wheel: install
	PYTHON=$(PYTHON) scripts/test_wheel.sh

# The README's test command: lint, pure tests, wheels, Odoo tests.
test: lint test-pure test-wheel test-odoo

# The addons' wheels for each series, into dist/<series>/.
wheels: install
	$(PYTHON) scripts/build_wheels.py

# README.rst and static/description/index.html from the readme/ fragments.
readme: install
	$(PYTHON) -m pre_commit run gen-addon-readme --all-files

# The README's demo: database pleo_demo, sandbox on :8900, every level run once,
# then Odoo on http://localhost:8069 (admin / admin) until Ctrl-C.
demo: install
	PYTHON=$(PYTHON) scripts/demo.sh

# Regenerate the translation template from the addon.
pot: install
	PYTHON=$(PYTHON) scripts/export_pot.sh
