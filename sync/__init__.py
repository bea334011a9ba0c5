"""Between protocol core: wire types, crypto, merge, reference client."""
