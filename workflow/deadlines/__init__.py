"""Deadlines: which duties a case has (rules), keeping stored deadlines and reminders in step
(planning), notices recorded ahead of their date, and the lists people look at."""
