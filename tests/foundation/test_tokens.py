"""Access tokens: a token checked once is taken again without decoding, but never past its
expiry and never under another signing key."""

from __future__ import annotations

import uuid

import jwt
import pytest

from kassa.config import Settings, get_settings
from kassa.identity import tokens
from kassa.identity.tokens import AccessClaims, issue_access_token, read_access_token
from kassa.kit.errors import NotAuthenticated


def refusal(token: str) -> str:
    """The code of the refusal of ``token`` (it must be refused)."""
    with pytest.raises(NotAuthenticated) as refused:
        read_access_token(token)
    return refused.value.code


def test_a_checked_token_is_read_again_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = issue_access_token(user_id, session_id)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert read_access_token(token) == AccessClaims(user_id, session_id)

    def no_decoding(*_: object, **__: object) -> None:
        raise AssertionError("the token was decoded again")

    # The second read takes the checked claims: it does not decode the token again.
    monkeypatch.setattr(tokens, "_decode", no_decoding)
    assert read_access_token(token) == AccessClaims(user_id, session_id)
    monkeypatch.setattr(tokens.time, "time", lambda: expires - 0.5)
    assert read_access_token(token) == AccessClaims(user_id, session_id)
    # At its "exp" second the token has expired, as PyJWT decides (exp <= now).
    monkeypatch.setattr(tokens.time, "time", lambda: float(expires))
    assert refusal(token) == "token_expired"


def test_a_checked_token_is_not_taken_under_another_signing_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = issue_access_token(uuid.uuid4(), uuid.uuid4())
    read_access_token(token)
    assert get_settings().signing_key() != "a-rotated-signing-key"
    monkeypatch.setattr(Settings, "signing_key", lambda self: "a-rotated-signing-key")
    assert refusal(token) == "token_invalid"


def test_refused_tokens_are_not_kept_and_the_kept_ones_are_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tokens, "_checked_tokens", {})
    for bad in ("not.a.jwt", issue_access_token(uuid.uuid4(), uuid.uuid4())[:-2] + "xx"):
        assert refusal(bad) == "token_invalid"
    assert tokens._checked_tokens == {}
    monkeypatch.setattr(tokens, "_CHECKED_TOKENS_MAX", 3)
    issued = [issue_access_token(uuid.uuid4(), uuid.uuid4()) for _ in range(5)]
    for token in issued:
        read_access_token(token)
    assert len(tokens._checked_tokens) == 3
    key = get_settings().signing_key()
    # The oldest went first; the newest are kept.
    assert (key, issued[0]) not in tokens._checked_tokens
    assert (key, issued[-1]) in tokens._checked_tokens
