"""The Framework workspace: outline, editor, side panel, conflict dialog."""
