"""The Inbox workspace: packages received, conflicts to settle, the export dialog."""
