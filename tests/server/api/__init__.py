"""Tests of server/api/: a package, so its module names (test_accounts, test_sync) do not clash with
tests/server/store/ under pytest's default import mode."""
