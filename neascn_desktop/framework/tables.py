"""Tables of the framework room (declared on ``neascn_desktop.store.base.Base``)."""
