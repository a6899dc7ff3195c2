"""Preplans as files and as deployed versions: loading, checking, deploying, the cached spec and manifest, forms,
decisions, version history, and a preplan in words."""
