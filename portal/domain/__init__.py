"""Pure Python services: one module per capability. Never imports reflex (a test enforces it)."""
