"""Rendering: posts to feed entries (Markdown, summaries, absolute links), entries to
each format's bytes, and the page for people. No file is written here."""
