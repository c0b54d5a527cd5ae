"""Piccolo's configuration module (PICCOLO_CONF=aidledger.piccolo_conf).

Piccolo's migration machinery finds the engine here; the service gets the very same
engine through `aidledger.persistence.database.connect`, so there is one engine per
process. Building an engine object opens no connection.
"""

from piccolo.conf.apps import AppRegistry

from aidledger.persistence.engines import engine_for_url
from aidledger.settings import load_settings

DB = engine_for_url(load_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["aidledger.persistence.piccolo_app"])
