"""gcheck: check an Autotest global_config.ini and its copies across a fleet."""

__version__ = "0.1.0"
