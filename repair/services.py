"""Service functions of the repair app: every write goes through here (none yet)."""
