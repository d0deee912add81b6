# The ORM layer loads only when Odoo loads the addon (as odoo.addons.pleo_connector);
# the pure client in pleo_connector.pleo stays importable without Odoo.
if __name__.startswith("odoo.addons."):
    from . import models
    from . import controllers
    from . import wizards
    from .hooks import post_init_hook
