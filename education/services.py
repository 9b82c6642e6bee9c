"""Service functions of the education app: every write goes through here (none yet)."""
