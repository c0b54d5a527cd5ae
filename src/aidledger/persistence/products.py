"""SQL for loan products. A product is stored with the copy of its terms that the API
shows (`domain.products.product_document`) and is never edited."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aidledger.domain.products import LoanProduct, parse_product, product_document
from aidledger.persistence.database import Database


async def insert_product(database: Database, product: LoanProduct, fund_id: str,
                         created_at: datetime, created_by: str) -> None:
    await database.execute(
        "INSERT INTO loan_product (code, name, fund_id, currency, terms, created_at, "
        "created_by) VALUES ({}, {}, {}, {}, {}, {}, {})",
        product.code, product.name, fund_id, product.currency,
        json.dumps(product_document(product)), created_at, created_by)


async def find_product(database: Database, code: str) -> LoanProduct | None:
    row = await database.fetch_one(
        "SELECT p.terms, f.code AS fund_code, p.currency FROM loan_product AS p "
        "JOIN fund AS f ON f.id = p.fund_id WHERE p.code = {}", code)
    if row is None:
        return None
    return parse_product(json.loads(row["terms"]), row["fund_code"], row["currency"])


async def product_terms_after(database: Database, code: str,
                              limit: int) -> list[dict[str, Any]]:
    """The stored terms of the products whose codes follow `code`, in code order."""
    rows = await database.fetch(
        "SELECT terms FROM loan_product WHERE code > {} ORDER BY code LIMIT {}", code, limit)
    return [json.loads(row["terms"]) for row in rows]
