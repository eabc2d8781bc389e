"""Reminders, the domain half: counts for metrics and an admin's retry. Delivery is
``scheduler/``'s."""
