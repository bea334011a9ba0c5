"""Tests of server/store/: a package, so its module names (test_records, test_accounts) do not clash with
tests/sync/ and tests/server/api/ under pytest's default import mode."""
