"""Choose the store from configuration: Neo4j when ``NEO4J_URI`` is set, else embedded."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.store import GraphStore


class StoreSettings(BaseSettings):
    """Where the network lives; read from the environment."""

    model_config = SettingsConfigDict(extra="ignore")

    data_dir: Path = Field(
        default=Path(".supplynet"), validation_alias=AliasChoices("SUPPLYNET_DATA", "data_dir")
    )
    neo4j_uri: str | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_URI", "neo4j_uri")
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "neo4j_user")
    )
    neo4j_password: str = Field(
        default="", validation_alias=AliasChoices("NEO4J_PASSWORD", "neo4j_password")
    )
    neo4j_password_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("NEO4J_PASSWORD_FILE", "neo4j_password_file"),
        description="file holding the password (wins over NEO4J_PASSWORD); never a flag value",
    )

    def password(self) -> str:
        """The Neo4j password: from ``neo4j_password_file`` when set, else the variable.

        Raises
        ------
        ValidationFailed
            When the file cannot be read.
        """
        if self.neo4j_password_file is None:
            return self.neo4j_password
        try:
            return self.neo4j_password_file.read_text().strip()
        except OSError as error:
            reason = f"cannot read {str(self.neo4j_password_file)!r}: {error.strerror}"
            raise ValidationFailed([Problem("NEO4J_PASSWORD_FILE", reason)], "store") from None

    neo4j_database: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE", "neo4j_database")
    )
    neo4j_staged_import_rows: int | None = Field(
        default=None,
        gt=0,
        validation_alias=AliasChoices("NEO4J_STAGED_IMPORT_ROWS", "neo4j_staged_import_rows"),
        description="history rows above which a Neo4j import is staged, in transactions of "
        "about this many rows (default: the store's HISTORY_TX_ROWS)",
    )


def open_store(settings: StoreSettings | None = None) -> GraphStore:
    """The configured store; the caller closes it."""
    settings = settings or StoreSettings()
    if settings.neo4j_uri:
        from supplynet.graph.neo4j_store import (
            Neo4jStore,  # the driver is only loaded when configured
        )

        store: GraphStore = Neo4jStore.connect(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.password(),
            database=settings.neo4j_database,
            staged_rows=settings.neo4j_staged_import_rows,
        )
        return store
    return EmbeddedStore(settings.data_dir)


def describe(settings: StoreSettings | None = None) -> str:
    """One line naming the configured store, for CLI output."""
    settings = settings or StoreSettings()
    if settings.neo4j_uri:
        return f"neo4j {settings.neo4j_uri} (database {settings.neo4j_database})"
    return f"embedded {settings.data_dir}"
