"""Stacks: one per environment and region. A stack owns its providers, backend and outputs."""
