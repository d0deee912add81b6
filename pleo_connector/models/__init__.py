from . import pleo_connection
from . import pleo_webhook_event
