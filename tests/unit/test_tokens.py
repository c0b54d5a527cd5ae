import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from jose import jwt

from aidledger.domain.errors import Unauthenticated
from aidledger.services.context import Actor, Role, SystemClock
from aidledger.services.tokens import AUDIENCE, ISSUER, TokenVerifier, issue_token
from tests.support import ClockAt

SECRET = "s" * 40
ACTOR = Actor("ana", Role.ADMIN, None)


REAL_TIME = SystemClock(ZoneInfo("UTC"))


def read_token(secret: str, token: str) -> Actor:
    return TokenVerifier(secret, REAL_TIME).read(token)


def _claims(**changes: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {"sub": "ana", "role": "admin", "person_id": None, "iat": now,
                                 "exp": now + 600, "iss": ISSUER, "aud": AUDIENCE}
    claims.update(changes)
    return {key: value for key, value in claims.items() if value != "<drop>"}


def test_issued_token_reads_back_as_the_actor() -> None:
    token = issue_token(SECRET, ACTOR, datetime.now(UTC), 600)
    assert read_token(SECRET, token) == ACTOR
    borrower = Actor("bo", Role.BORROWER, "person-1")
    assert read_token(SECRET, issue_token(SECRET, borrower, datetime.now(UTC), 600)) == borrower


def test_token_carries_every_required_claim() -> None:
    token = issue_token(SECRET, ACTOR, datetime(2026, 11, 22, tzinfo=UTC), 900)
    claims = jwt.get_unverified_claims(token)
    assert set(claims) == {"sub", "role", "person_id", "iat", "exp", "iss", "aud"}
    assert claims["exp"] - claims["iat"] == 900


def _none_token() -> str:
    import base64
    import json

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(_claims())}."


@pytest.mark.parametrize("token", [
    pytest.param(lambda: jwt.encode(_claims(), "x" * 40, algorithm="HS256"), id="wrong-key"),
    pytest.param(lambda: jwt.encode(_claims(exp=int(time.time()) - 1), SECRET,
                                    algorithm="HS256"), id="expired"),
    pytest.param(lambda: jwt.encode(_claims(aud="someone-else"), SECRET, algorithm="HS256"),
                 id="wrong-audience"),
    pytest.param(lambda: jwt.encode(_claims(iss="evil"), SECRET, algorithm="HS256"),
                 id="wrong-issuer"),
    pytest.param(lambda: jwt.encode(_claims(role="root"), SECRET, algorithm="HS256"),
                 id="unknown-role"),
    pytest.param(lambda: jwt.encode(_claims(exp="<drop>"), SECRET, algorithm="HS256"),
                 id="no-exp"),
    pytest.param(lambda: jwt.encode(_claims(iat="<drop>"), SECRET, algorithm="HS256"),
                 id="no-iat"),
    pytest.param(lambda: jwt.encode(_claims(person_id="<drop>"), SECRET, algorithm="HS256"),
                 id="no-person-id"),
    pytest.param(lambda: jwt.encode(_claims(sub="<drop>"), SECRET, algorithm="HS256"),
                 id="no-sub"),
    pytest.param(lambda: jwt.encode(_claims(), SECRET, algorithm="HS512"), id="other-algorithm"),
    pytest.param(_none_token, id="alg-none"),
    pytest.param(lambda: "not.a.token", id="malformed"),
    pytest.param(lambda: "", id="empty"),
])
def test_bad_tokens_are_refused(token: object) -> None:
    with pytest.raises(Unauthenticated):
        read_token(SECRET, token())  # type: ignore[operator]


def test_token_lifetime_is_enforced_by_exp() -> None:
    old = datetime.now(UTC) - timedelta(hours=2)
    with pytest.raises(Unauthenticated, match="xpired"):
        read_token(SECRET, issue_token(SECRET, ACTOR, old, 3600))


def test_remembered_tokens_still_expire() -> None:
    clock = ClockAt(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    verifier = TokenVerifier(SECRET, clock)
    token = issue_token(SECRET, ACTOR, clock.now(), 60)
    assert verifier.read(token) == ACTOR
    clock.advance(seconds=59)
    assert verifier.read(token) == ACTOR
    clock.advance(seconds=1)
    with pytest.raises(Unauthenticated, match="xpired"):
        verifier.read(token)
    # Verified afresh, not remembered, it is refused all the same.
    with pytest.raises(Unauthenticated, match="xpired"):
        TokenVerifier(SECRET, clock).read(token)


def test_a_token_differing_from_a_remembered_one_is_verified_afresh() -> None:
    verifier = TokenVerifier(SECRET, REAL_TIME, capacity=2)
    token = issue_token(SECRET, ACTOR, datetime.now(UTC), 60)
    verifier.read(token)
    with pytest.raises(Unauthenticated):
        verifier.read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    others = [issue_token(SECRET, Actor(f"u{n}", Role.AUDITOR, None), datetime.now(UTC), 60)
              for n in range(3)]
    assert [verifier.read(other).username for other in others] == ["u0", "u1", "u2"]
    assert len(verifier._verified) == 2
