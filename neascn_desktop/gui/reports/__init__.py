"""The Reports workspace: Word reports, data exports, the dashboard."""
