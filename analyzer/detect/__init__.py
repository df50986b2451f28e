"""Deciding what a package is: typosquat checks and static and behavioural rules."""
