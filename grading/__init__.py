"""Grading: the behaviour tagger, the rubric as data, call grades and KPIs.

Pure Python: never imports textual, tui or sim.
"""
