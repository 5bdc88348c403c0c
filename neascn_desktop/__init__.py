"""NEASCN Desktop: the offline-first app of the Northeast Asia Smart Cities Network task force."""

__version__ = "0.1.0"
APP_NAME = "NEASCN Desktop"
