"""Delivery of the reminders the domain plans, and automatic expiry (SPEC §5).

The ``reminders`` table is the shared state: a reminder is claimed with a lease by a single
conditional statement, sent through its channel, then marked sent or failed. APScheduler only
wakes the dispatcher, so any number of scheduler processes can share one PostgreSQL database.
"""
