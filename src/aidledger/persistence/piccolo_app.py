"""Piccolo app: the reviewed migrations. Its folder is set from `Settings` by
`persistence.migrations` before each run; the schema is the migrations' own SQL."""

from piccolo.conf.apps import AppConfig

APP_CONFIG = AppConfig(app_name="aidledger", migrations_folder_path="migrations",
                       table_classes=[])
