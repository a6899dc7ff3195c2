"""People: users and their roles, sessions, and the access rules (who may see and do what)."""
