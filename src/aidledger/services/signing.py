"""The service's checkpoint key (Ed25519), kept outside the database."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aidledger.domain.checkpoints import Checkpoint, signed_message
from aidledger.settings import ConfigurationError


@dataclass(frozen=True)
class CheckpointSigner:
    """The service's checkpoint key. Its id names the public half, so a checkpoint says
    which key to check it with."""

    private_key: Ed25519PrivateKey
    key_id: str

    @classmethod
    def from_pem(cls, pem: str) -> CheckpointSigner:
        try:
            key = serialization.load_pem_private_key(pem.encode(), password=None)
        except (ValueError, TypeError) as error:
            raise ConfigurationError(f"AIDLEDGER_CHECKPOINT_KEY: not a PEM private key "
                                     f"without a passphrase ({error})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError("AIDLEDGER_CHECKPOINT_KEY must be an Ed25519 key")
        public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
        return cls(key, "ed25519:" + hashlib.sha256(public).hexdigest()[:16])

    def sign(self, checkpoint: Checkpoint) -> str:
        return base64.b64encode(self.private_key.sign(signed_message(checkpoint))).decode()

    def signature_is_good(self, checkpoint: Checkpoint, signature: str) -> bool:
        try:
            raw = base64.b64decode(signature, validate=True)
            self.private_key.public_key().verify(raw, signed_message(checkpoint))
        except (binascii.Error, ValueError, InvalidSignature):
            return False
        return True
