from . import pleo_connection
