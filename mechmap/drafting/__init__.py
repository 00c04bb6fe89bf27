"""Drafting a map with others: what changed between two drafts, and a live preview.

A panel drafts a map over several meetings. ``diff`` says what changed between two drafts and
what follows from the change; ``serve`` re-draws the map in a browser at every save and writes
dragged positions back into the file.
"""
