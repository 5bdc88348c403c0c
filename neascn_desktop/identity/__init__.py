"""Identity: the local profile, the device's key pairs, and other devices' trusted key cards."""
