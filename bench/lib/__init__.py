"""Pieces shared by the benches: processes, Guichet and nginx on loopback, load clients, tables."""
