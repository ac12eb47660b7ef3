"""The ops tests use the suite's personas (testing.personas, loaded by the root conftest)."""
