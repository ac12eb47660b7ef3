"""Test support for the accounts app (pytest plugins; nothing here is imported at run time)."""
