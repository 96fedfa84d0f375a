"""Planning: which feeds a build writes, and what each shows, decided in one pure step
from the site and its published posts. Everything after the plan reads it."""
