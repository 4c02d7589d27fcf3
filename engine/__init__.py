"""The scenario engine: scenario models, safe loading and validation, the call state machine.

Pure Python: never imports textual, tui, sim or grading.
"""
