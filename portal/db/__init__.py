"""Database tables and the engine. Import tables from ``portal.db.models``."""
