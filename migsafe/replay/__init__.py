"""Replay: run revisions against a real, disposable PostgreSQL and watch what they lock, rewrite and scan."""
