"""Benchmarks that print figures (ratios against a baseline measured in the same run).

Run ``python -m bench <name> [options]``; each benchmark is a module of this
package with ``add_arguments(parser)`` and ``run(args)``. They are not tests:
nothing here asserts a time.
"""
