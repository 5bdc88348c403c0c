"""The root of every room's exception hierarchy.

Each room has its own subclasses (``StoreError``, ``PackageError``,
``XLSFormError`` ...); the message of a ``NeascnError`` is one translated,
user-facing sentence that the CLI prints and the GUI shows in a dialog.
"""

from typing import Any, Self


class NeascnError(Exception):
    """An error the user can understand and act on; ``str()`` is the sentence to show."""

    exit_code = 2
    #: The sentence as an event, when raised with ``said``: its English template and values, so
    #: that the audit log stores it and says it in each reader's language (``sync.audit``).
    event: tuple[str, dict[str, Any]] | None = None

    @classmethod
    def said(cls, template: str, **values: Any) -> Self:
        """The error whose sentence is ``template`` (marked with ``N_``) translated and filled in."""
        from neascn_desktop.i18n import _

        error = cls(_(template).format(**{k: str(v) if isinstance(v, BaseException) else v
                                         for k, v in values.items()}))
        error.event = (template, {k: _event_value(v) for k, v in values.items()})
        return error


def _event_value(value: Any) -> Any:
    """A value of an error's event: another error's event nested (said in the reader's language
    too), or its sentence."""
    if isinstance(value, NeascnError) and value.event is not None:
        return {"template": value.event[0], "values": value.event[1]}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # a path, an exception: its text (the event is stored as JSON)
