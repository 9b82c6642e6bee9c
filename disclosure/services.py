"""Service functions of the disclosure app: every write goes through here (none yet)."""
