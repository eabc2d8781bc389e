"""Councils as tenants (issue 10): each owns its people, agreements, cases, deadlines,
reminders, audit chains, calendar feed and constitution settings."""
