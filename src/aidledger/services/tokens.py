"""Access tokens: HS256 JWTs from python-jose, every registered claim required and checked."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from jose import JWTError, jwt

from aidledger.domain.errors import Unauthenticated
from aidledger.services.context import Actor, Clock, Role

ISSUER = "aidledger"
AUDIENCE = "aidledger-api"
# An allow-list of one: "none", RS/HS confusion and every other algorithm are refused.
ALGORITHMS = ["HS256"]
_REQUIRED = ("sub", "role", "person_id", "iat", "exp", "iss", "aud")


def issue_token(secret: str, actor: Actor, now: datetime, lifetime_seconds: int) -> str:
    claims = {
        "sub": actor.username,
        "role": actor.role.value,
        "person_id": actor.person_id,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime_seconds)).timestamp()),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHMS[0])


class TokenVerifier:
    """Verifies tokens, remembering the ones already verified until they expire: the
    signature check is a tenth of a small request's cost, and a client sends the same
    token many times. The cache key is the whole token, signature included. Expiry is
    judged by the service's clock, the one every other rule uses."""

    def __init__(self, secret: str, clock: Clock, capacity: int = 4096):
        self._secret = secret
        self._clock = clock
        self._capacity = capacity
        self._verified: OrderedDict[str, tuple[Actor, int]] = OrderedDict()

    def read(self, token: str) -> Actor:
        now = self._clock.now().timestamp()
        remembered = self._verified.get(token)
        if remembered is not None and remembered[1] > now:
            self._verified.move_to_end(token)
            return remembered[0]
        actor, expires = _verified_claims(self._secret, token, now)
        self._verified[token] = (actor, expires)
        if len(self._verified) > self._capacity:
            self._verified.popitem(last=False)
        return actor


def _verified_claims(secret: str, token: str, now: float) -> tuple[Actor, int]:
    try:
        claims = jwt.decode(
            token, secret, algorithms=ALGORITHMS, audience=AUDIENCE, issuer=ISSUER,
            # exp is judged below by the service's clock; jose would require it by its
            # own, so only its presence is required of jose's checks here (_REQUIRED).
            options={"verify_exp": False,
                     **{f"require_{claim}": True for claim in ("sub", "iat", "iss", "aud")}},
        )
    except JWTError as error:
        raise Unauthenticated(f"The access token is not valid: {error}.") from None
    missing = [claim for claim in _REQUIRED if claim not in claims]
    if missing:
        raise Unauthenticated(f"The access token lacks {', '.join(missing)}.")
    expires = claims["exp"]
    if isinstance(expires, bool) or not isinstance(expires, int):
        raise Unauthenticated("The access token's exp is not a time.")
    if expires <= now:
        raise Unauthenticated("The access token is not valid: Signature has expired.")
    try:
        role = Role(claims["role"])
    except ValueError:
        raise Unauthenticated("The access token names an unknown role.") from None
    subject, person_id = claims["sub"], claims["person_id"]
    if not isinstance(subject, str) or not (person_id is None or isinstance(person_id, str)):
        raise Unauthenticated("The access token's claims have the wrong types.")
    return Actor(username=subject, role=role, person_id=person_id), expires
