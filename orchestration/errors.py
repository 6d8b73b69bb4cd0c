"""Errors a user of the CLI sees as one clear line (a traceback only with --debug)."""


class PlatformError(Exception):
    """Something the user can act on: the message says what failed and where to look."""
