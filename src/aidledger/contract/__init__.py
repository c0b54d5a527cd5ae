"""Request and response shapes (msgspec), one module per area. Amounts are strings: a JSON
number is refused. The structs are the contract: tests/api/test_response_structs.py holds
every documented response to its struct."""
