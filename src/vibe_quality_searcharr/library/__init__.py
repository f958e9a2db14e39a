"""The library mirror: a local copy, per instance, of what the planner needs."""
