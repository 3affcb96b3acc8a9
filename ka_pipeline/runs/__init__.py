"""Runs started from the command line (`ka-pipeline run`): the full build and the weekly
report, each through the persistent Dagster instance so the UI shows them afterwards."""
