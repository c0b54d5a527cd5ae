"""Piccolo table classes mirroring the schema that migrations/ creates.

The migrations are the source of truth (they carry the constraints and triggers);
these classes give the services typed, query-builder access to the simple tables.
"""

from piccolo.columns import BigInt, BigSerial, Date, Text, Timestamptz
from piccolo.table import Table

from aidledger.domain.ledger import GENESIS_HASH


class Fund(Table, tablename="fund"):
    id = Text(primary_key=True)
    code = Text(unique=True)
    name = Text()
    currency = Text()
    created_at = Timestamptz()
    created_by = Text()
    last_seq = BigInt(default=0)
    last_hash = Text(default=GENESIS_HASH)
    reserved = BigInt(default=0)


class Account(Table, tablename="account"):
    id = BigSerial(primary_key=True)
    fund_id = Text()
    code = Text()
    name = Text()
    type = Text()
    balance = BigInt(default=0)
    created_at = Timestamptz()


class Person(Table, tablename="person"):
    id = Text(primary_key=True)
    full_name = Text()
    preferred_language = Text()
    phone = Text(null=True)
    id_document_hash = Text(null=True)
    id_document_hint = Text(null=True)
    date_of_birth = Date(null=True)
    created_at = Timestamptz()
    created_by = Text()


class AppUser(Table, tablename="app_user"):
    id = Text(primary_key=True)
    username = Text(unique=True)
    password_hash = Text()
    role = Text()
    person_id = Text(null=True)
    created_at = Timestamptz()
    created_by = Text()
    disabled_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    id = BigSerial(primary_key=True)
    at = Timestamptz()
    actor = Text()
    action = Text()
    subject_kind = Text()
    subject_id = Text()
    fund_id = Text(null=True)
    before_state = Text(null=True)
    after_state = Text(null=True)


TABLES = (Fund, Account, Person, AppUser, AuditEvent)
