"""Writing and guarding the output folder: atomic all-or-nothing writes, one build
at a time, and the id guard that keeps published entries' ids."""
