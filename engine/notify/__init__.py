"""Notices: who is told what (assignments, reminders, overdue, escalations, calendar warnings), webhooks out to other
systems, and the outbox that delivers both."""
