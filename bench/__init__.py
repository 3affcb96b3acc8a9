"""Performance benchmark harness (`make bench`): the pipeline against two comparators.

See BENCHMARKS.md for what is measured and the latest results; `python -m bench --help`
for the options. Nothing here is imported by the pipeline itself.
"""
