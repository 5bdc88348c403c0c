"""GUI: everything that imports QtWidgets.

Importing this package first applies the PySide6 reference-count workaround
(``neascn_desktop.i18n.qt.pin_python_singletons``), so every GUI module and
GUI test gets it before its first Qt call.
"""

from neascn_desktop.i18n.qt import pin_python_singletons

pin_python_singletons()
