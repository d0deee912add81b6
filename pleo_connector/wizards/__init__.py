from . import pleo_setup_wizard
