"""Resources shared by the domains: the platform database as the admin that runs loaders."""

import dagster as dg

from orchestration.runtime.database import ConnectionInfo, role_connection, start_database
from orchestration.runtime.runs import keep_storage_connections
from orchestration.settings import Settings, get_settings


class PlatformDatabase(dg.ConfigurableResource):
    """Connection used by ingestion assets (a libpq URL; empty: the configured platform database)."""

    url: str = ""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # every run holds this resource: the run's Dagster storages keep their connections for the run
        if context.instance is not None:
            keep_storage_connections(context.instance)

    def connection_info(self) -> ConnectionInfo:
        if self.url:
            return ConnectionInfo.from_url(self.url)

        return start_database(get_settings())

    def transformer(self) -> ConnectionInfo:
        """The same database as ``transformer``: builds, checks and publishes never run as a superuser."""
        return role_connection(self.connection_info(), get_settings(), "transformer")

    def settings(self) -> Settings:
        return get_settings()


def inbox(domain: str) -> str:
    return str(get_settings().inbox_dir / domain)
