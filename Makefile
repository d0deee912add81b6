PYTHON ?= python3

.PHONY: install lint test test-pure test-odoo demo bench pot

install:
	$(PYTHON) -m pip install -q -r test-requirements.txt -e .

lint: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pylint --rcfile=.pylintrc pleo_connector pleo_connector_queue_job

test-pure: install
	$(PYTHON) -m pytest tests

# Once per Odoo series this machine has (18.0, 19.0), each in its own database.
test-odoo: install
	PYTHON=$(PYTHON) scripts/test_odoo_all.sh

# The README's test command: lint, pure tests, Odoo tests.
test: lint test-pure test-odoo

# The README's demo: database pleo_demo, sandbox on :8900, every level run once,
# then Odoo on http://localhost:8069 (admin / admin) until Ctrl-C.
demo: install
	PYTHON=$(PYTHON) scripts/demo.sh

# Regenerate the translation template from the addon.
pot: install
	PYTHON=$(PYTHON) scripts/export_pot.sh
