"""Notices: who is told what (assignments, reminders, overdue, escalations, calendar warnings) and the outbox that
delivers them."""
