"""Outgoing messages (email, SMS …), stored first so none is lost."""
