"""Between's Python side of the protocol, in three layers (docs/INTERNALS.md):

- `core`: the protocol itself (wire types, byte layouts, crypto, keys, records, trust, merge, kinds, assignments);
  pure, imports nothing else of Between, used by the server and every client;
- `client`: the reference client (local store, HTTP calls, accounts, the sync engine, `Client`);
- `cli`: the `between` command on top of the client.
"""
