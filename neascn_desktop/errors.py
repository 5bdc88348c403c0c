"""The root of every room's exception hierarchy.

Each room has its own subclasses (``StoreError``, ``PackageError``,
``XLSFormError`` ...); the message of a ``NeascnError`` is one translated,
user-facing sentence that the CLI prints and the GUI shows in a dialog.
"""


class NeascnError(Exception):
    """An error the user can understand and act on; ``str()`` is the sentence to show."""

    exit_code = 2
