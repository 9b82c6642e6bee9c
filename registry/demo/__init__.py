"""Demo data for ``manage.py load_demo``.

``data`` holds the static material (the department tree named in the Yunnan
2017 implementation plan, the catalogue, name lists, demo users), ``plan``
turns it into a deterministic list of persons and records (a fixed random
seed, dates as offsets from today), and ``loader`` writes it through the
service functions, idempotently.
"""
