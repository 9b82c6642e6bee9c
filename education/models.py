"""Models of the education app (none yet: see the open issues)."""
