"""The reference client: a profile's local store, the HTTP calls, accounts, the sync engine and `Client`."""
