"""Tables of the surveys room (declared on ``neascn_desktop.store.base.Base``)."""
