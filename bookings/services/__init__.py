"""Writes of the bookings app, one module per subject:

- appointments: book, series, cancel, reschedule, complete, no-show
- calendar_feeds: a clinician's private feed address, regenerate and revoke
"""
