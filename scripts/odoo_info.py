"""What the Odoo importable from this Python is: its series, its own addons
directories, the option keeping demo data out. Run as a script it prints them as
shell assignments (scripts/odoo_env.sh evaluates them); the benchmarks import it.
"""

import importlib.util
import os

import odoo

# 18.0 sets the package up on `import odoo`; 19.0's is a namespace package that
# odoo.init sets up (Command, SUPERUSER_ID, _ on `odoo`), as its CLI does.
if importlib.util.find_spec("odoo.init"):
    import odoo.init  # noqa: F401

import odoo.release  # noqa: E402
from odoo.tools import config  # noqa: E402

SERIES = odoo.release.major_version


def addons_dirs():
    """Odoo's own addons directories. 19.0's `odoo` is a namespace package
    (no __file__), so its path is read instead."""
    dirs = []
    for root in (os.path.dirname(path) for path in odoo.__path__):
        for candidate in (
            os.path.join(root, "addons"),
            os.path.join(root, "odoo", "addons"),
        ):
            if os.path.isdir(candidate) and candidate not in dirs:
                dirs.append(candidate)
    return dirs


def without_demo_args():
    """18.0 loads demo data unless told not to; 19.0 loads none unless asked,
    and warns about 18.0's option."""
    return [] if "with_demo" in config.options else ["--without-demo=all"]


if __name__ == "__main__":
    print(f"ODOO_SERIES={SERIES}")
    print(f"ODOO_ADDONS={','.join(addons_dirs())}")
    demo = "without_demo = all" if without_demo_args() else ""
    print(f"ODOO_CONF_DEMO='{demo}'")
    print(f"ODOO_DEMO_ARGS='{' '.join(without_demo_args())}'")
