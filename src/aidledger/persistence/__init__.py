"""Persistence: Piccolo tables and engines, and the SQL behind the services."""
