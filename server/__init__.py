"""Between server: the Litestar backend of the PWA and the sync API."""
