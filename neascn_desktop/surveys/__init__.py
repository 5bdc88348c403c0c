"""surveys room."""
