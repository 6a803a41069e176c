"""One module per fixable rule, named after the rule; see migsafe/fixing/__init__.py."""
