"""GUI: everything that imports QtWidgets (windows, workspaces, item models, workers)."""
