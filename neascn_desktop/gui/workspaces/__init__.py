"""Workspaces of the main window."""
