"""The audit trail: every write, who, where, when, and a digest of before and after."""
