"""Benchmarks (``make bench``): engine cost as ratios to raw SpiffWorkflow measured in the same run."""
