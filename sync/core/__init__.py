"""The protocol core: what every party (server, reference client, the PWA's twin in web/js/core) agrees on."""
