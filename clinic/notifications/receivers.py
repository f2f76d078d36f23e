"""Receivers of domain events (clinic.events) that write outbox rows."""
