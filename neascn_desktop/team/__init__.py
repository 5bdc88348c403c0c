"""A secretariat team on one shared database: its members, the team key they share, and moving
a database between a laptop and the server."""
