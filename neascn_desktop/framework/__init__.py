"""framework room."""
