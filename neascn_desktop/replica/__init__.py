"""replica room."""
