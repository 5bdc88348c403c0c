"""GUI: everything that imports QtWidgets."""
