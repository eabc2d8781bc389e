"""People: users, their roles and tokens, and the rights that are not an event's."""
