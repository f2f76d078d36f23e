"""HTTP layer of the bookings app, one module per subject; urls.py routes them all."""
