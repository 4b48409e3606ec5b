"""The intake/1 document: its schema, field lists, validation and normal form (no Django)."""
