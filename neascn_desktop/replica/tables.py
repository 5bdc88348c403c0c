"""Tables of the replica room (declared on ``neascn_desktop.store.base.Base``)."""
