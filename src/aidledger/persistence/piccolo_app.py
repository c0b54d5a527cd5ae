"""Piccolo app: its tables and the reviewed migrations in the top-level migrations/ folder."""

from piccolo.conf.apps import AppConfig

from aidledger.persistence.tables import TABLES
from aidledger.settings import load_settings

APP_CONFIG = AppConfig(
    app_name="aidledger",
    migrations_folder_path=str(load_settings().migrations_path),
    table_classes=list(TABLES),
)
