"""Reports room: Word documents and charts."""
