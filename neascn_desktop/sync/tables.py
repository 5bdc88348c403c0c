"""Tables of the sync room (declared on ``neascn_desktop.store.base.Base``)."""
