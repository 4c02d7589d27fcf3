"""The session layer: runs a call (engine + grading), records and stores it; the command line."""
