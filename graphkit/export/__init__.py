"""Exports for other tools (CRM imports, Gephi); see graphkit.io.writers for plain tables."""

__all__: list[str] = []
