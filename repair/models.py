"""Models of the repair app (none yet: see the open issues)."""
