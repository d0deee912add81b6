# Sourced by the scripts that run Odoo (tests, demo, pot): what the Odoo that
# $PY imports is. Sets ODOO_SERIES (18.0, 19.0), ODOO_ADDONS (its own addons
# directories), ODOO_CONF_DEMO (the config line keeping demo data out, where the
# series needs one) and ODOO (the command that runs it).
eval "$("$PY" - <<'PY'
import os

import odoo
import odoo.release
from odoo.tools import config

# 19.0's `odoo` is a namespace package (no __file__): read its path instead.
dirs = []
for root in (os.path.dirname(path) for path in odoo.__path__):
    for candidate in (os.path.join(root, "addons"), os.path.join(root, "odoo", "addons")):
        if os.path.isdir(candidate) and candidate not in dirs:
            dirs.append(candidate)
print(f"ODOO_SERIES={odoo.release.major_version}")
print(f"ODOO_ADDONS={','.join(dirs)}")
# 18.0 loads demo data unless told not to; 19.0 loads none unless asked, and
# warns about 18.0's option.
demo = "" if "with_demo" in config.options else "without_demo = all"
print(f"ODOO_CONF_DEMO='{demo}'")
PY
)"
# odoo-bin is not shipped by every package; `-m odoo` is. odoo-bin sets TZ.
export TZ=UTC
ODOO=("$PY" -m odoo)
