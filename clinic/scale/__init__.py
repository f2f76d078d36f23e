"""Clinic-scale data for load tests: bulk inserts, deterministic, in minutes.

``python manage.py seed_scale --patients 20000`` builds, on top of the demo data: 40
clinicians over both locations, the patients with their episodes and assessments, programs,
about fifty check-ins per treated patient, escalations, and (where the apps provide them)
appointments over two years and their notifications. Every generator takes a
``random.Random`` so the same arguments give the same data.
"""
