"""Runtime of the platform: the database, the PostgREST process, the other services."""
