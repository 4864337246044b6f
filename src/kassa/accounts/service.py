"""Customer accounts: open, freeze, close; transfers with fees and second-factor confirmation;
history with filters and cursors. Every posting goes through the ledger."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session

from kassa.accounts.models import Account, Transfer
from kassa.audit.service import Actor, record
from kassa.customers.models import Customer
from kassa.customers.service import customer_ids_for, get_customer
from kassa.identity.models import User
from kassa.identity.principal import Principal
from kassa.kit.clock import utcnow
from kassa.kit.errors import Conflict, NotFound, ProblemError, Unprocessable
from kassa.kit.ids import uuid7
from kassa.kit.money import Money, format_minor
from kassa.kit.sql import contains_pattern
from kassa.ledger import errors as E
from kassa.ledger import service as ledger
from kassa.ledger.models import LedgerAccount


class AccountsSettings(BaseSettings):
    """``KASSA_ACCOUNTS_*``: transfer fee and the second-factor threshold."""

    model_config = SettingsConfigDict(env_prefix="KASSA_ACCOUNTS_", extra="ignore")

    # Fee (minor units of the transfer's currency) on a transfer to another customer; 0 = none.
    transfer_fee_minor: int = 0
    # A customer's transfer of this amount or more needs a second-factor code (1,000.00).
    confirm_threshold_minor: int = 100_000
    events_poll_seconds: float = 1.0  # not money


def settings() -> AccountsSettings:
    return AccountsSettings()


# --------------------------------------------------------------------------- numbers
def luhn_digit(digits: str) -> str:
    """The Luhn check digit for ``digits`` (ISO/IEC 7812-1 annex B)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def valid_number(number: str) -> bool:
    return len(number) == 12 and number.isdigit() and luhn_digit(number[:-1]) == number[-1]


def mask_number(number: str) -> str:
    return "•••• " + number[-4:]


def format_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# --------------------------------------------------------------------------- accounts
@dataclass(slots=True)
class AccountView:
    account: Account
    status: str
    balance: ledger.Balance
    customer_name: str


def _view(session: Session, account: Account) -> AccountView:
    ledger_account = session.get(LedgerAccount, account.id)
    customer = session.get(Customer, account.customer_id)
    assert ledger_account is not None and customer is not None
    return AccountView(
        account,
        ledger_account.status,
        ledger.get_balance(session, account.id),
        customer.display_name,
    )


def visible_account(session: Session, principal: Principal, account_id: uuid.UUID) -> Account:
    """The account if this user may see it; others' accounts do not exist (404)."""
    account = session.get(Account, account_id)
    if account is None or not (
        principal.is_staff or account.customer_id in customer_ids_for(session, principal)
    ):
        raise E.AccountNotFound("No such account.")
    return account


def view_account(session: Session, principal: Principal, account_id: uuid.UUID) -> AccountView:
    return _view(session, visible_account(session, principal, account_id))


def list_accounts(
    session: Session, principal: Principal, customer_id: uuid.UUID | None = None
) -> list[AccountView]:
    query = sa.select(Account).order_by(Account.opened_at, Account.id)
    if not principal.is_staff:
        query = query.where(Account.customer_id.in_(customer_ids_for(session, principal)))
    if customer_id is not None:
        query = query.where(Account.customer_id == customer_id)
    return [_view(session, a) for a in session.scalars(query.limit(500))]


def open_account(
    session: Session,
    actor: Actor,
    customer_id: uuid.UUID,
    *,
    product: str,
    currency: str,
    name: str | None = None,
    overdraft_limit: int = 0,
    opened_at: datetime | None = None,
) -> Account:
    customer = get_customer(session, customer_id)
    if customer.kyc_status == "rejected":
        raise Unprocessable("The customer did not pass identity checks.", code="kyc_rejected")
    money = ledger.to_money(1, currency)  # checks the currency
    seq = int(session.execute(sa.text("SELECT nextval('account_number_seq')")).scalar_one())
    base = f"40{seq:09d}"
    number = base + luhn_digit(base)
    ledger_account = ledger.create_account(
        session,
        code=f"acct.{number}",
        name=f"{customer.display_name} {product}",
        type="liability",
        currency=money.currency,
        overdraft_limit=overdraft_limit,
    )
    for purpose in ("settlement", "fee_income"):
        ledger.bank_account(session, purpose, currency)
    account = Account(
        id=ledger_account.id,
        customer_id=customer.id,
        number=number,
        product=product,
        currency=currency,
        name=name or ("Current account" if product == "current" else "Savings"),
    )
    if opened_at is not None:
        account.opened_at = opened_at
    session.add(account)
    session.flush()
    record(
        session,
        "account.opened",
        actor,
        target_type="account",
        target_id=account.id,
        after={
            "customer_id": customer.id,
            "number": number,
            "product": product,
            "currency": currency,
            "overdraft_limit": overdraft_limit,
        },
    )
    return account


def change_status(session: Session, actor: Actor, account_id: uuid.UUID, action: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise E.AccountNotFound("No such account.")
    ledger_account = session.get(LedgerAccount, account_id)
    assert ledger_account is not None
    before = ledger_account.status
    target = {"freeze": "frozen", "unfreeze": "open", "close": "closed"}[action]
    if action == "freeze" and before != "open":
        raise Conflict(f"The account is {before}.", code="account_not_open")
    if action == "unfreeze" and before != "frozen":
        raise Conflict(f"The account is {before}, not frozen.", code="account_not_frozen")
    if action == "close" and before == "closed":
        raise E.AccountClosed("The account is already closed.")
    ledger.set_status(session, account_id, target)
    if target == "closed":
        account.closed_at = utcnow()
    session.flush()
    record(
        session,
        f"account.{action}",
        actor,
        target_type="account",
        target_id=account.id,
        before={"status": before},
        after={"status": target},
    )
    return account


# --------------------------------------------------------------------------- transfers
class ChallengeFailed(ProblemError):
    status = 422
    code = "challenge_failed"
    title = "The confirmation code is wrong or expired"


class NoSecondFactor(ProblemError):
    status = 422
    code = "second_factor_unavailable"
    title = "No second factor to confirm with"


@dataclass(slots=True)
class TransferOutcome:
    transfer: Transfer
    replayed: bool = False
    challenge_method: str | None = None


def _parties(src: Account, dst: Account, src_name: str, dst_name: str) -> dict[str, Any]:
    """What each side of the entry shows as its counterparty in history and statements."""
    return {
        str(src.id): {"name": dst_name, "number": dst.number},
        str(dst.id): {"name": src_name, "number": src.number},
    }


def request_transfer(
    session: Session,
    principal: Principal,
    *,
    key: str,
    from_account_id: uuid.UUID,
    to_account_id: uuid.UUID | None,
    to_account_number: str | None,
    amount: object,
    currency: object,
    description: str,
) -> TransferOutcome:
    """A customer's (or staff's) transfer: posted now, or held for a second-factor code."""
    payload = {
        "from": str(from_account_id),
        "to": str(to_account_id) if to_account_id else None,
        "to_number": to_account_number,
        "amount": amount,
        "currency": currency,
        "description": description,
    }
    request_hash = ledger.request_hash(payload)
    earlier = session.scalar(
        sa.select(Transfer).where(
            Transfer.requested_by == principal.user_id, Transfer.idempotency_key == key
        )
    )
    if earlier is not None:
        return _replay(earlier, request_hash)

    money = ledger.to_money(amount, currency)
    src = visible_account(session, principal, from_account_id)
    if to_account_id is not None:
        dst = visible_account(session, principal, to_account_id)
    else:
        number = (to_account_number or "").replace(" ", "")
        found = session.scalar(sa.select(Account).where(Account.number == number))
        if found is None:
            raise E.AccountNotFound("No account has that number.", code="recipient_not_found")
        dst = found
    if src.id == dst.id:
        raise E.SameAccount("Pick two different accounts.")
    if money.currency != src.currency or money.currency != dst.currency:
        raise E.CurrencyMismatch(
            f"The transfer is in {money.currency}; the accounts hold {src.currency} and "
            f"{dst.currency}."
        )
    cfg = settings()
    fee = cfg.transfer_fee_minor if src.customer_id != dst.customer_id else 0
    needs_code = not principal.is_staff and money.amount >= cfg.confirm_threshold_minor

    transfer_id = uuid7()
    # Claim the key: a unique constraint, in the same transaction as the postings.
    inserted = session.execute(
        sa.text(
            "INSERT INTO account_transfers (id, requested_by, idempotency_key, request_hash,"
            " from_account_id, to_account_id, amount, fee, currency, description, status)"
            " VALUES (:id, :by, :key, :h, :src, :dst, :amount, :fee, :cur, :descr, :status)"
            " ON CONFLICT ON CONSTRAINT uq_account_transfers_requested_by_key DO NOTHING"
            " RETURNING id"
        ),
        {
            "id": transfer_id,
            "by": principal.user_id,
            "key": key,
            "h": request_hash,
            "src": src.id,
            "dst": dst.id,
            "amount": money.amount,
            "fee": fee,
            "cur": money.currency,
            "descr": description,
            "status": "awaiting_confirmation" if needs_code else "completed",
        },
    ).scalar()
    if inserted is None:  # a concurrent request with the same key won
        earlier = session.scalar(
            sa.select(Transfer).where(
                Transfer.requested_by == principal.user_id, Transfer.idempotency_key == key
            )
        )
        assert earlier is not None
        return _replay(earlier, request_hash)
    transfer = session.get(Transfer, transfer_id)
    assert transfer is not None
    if needs_code:
        method = _send_challenge(session, principal, transfer)
        transfer.challenge_method = method
        session.flush()
        record(
            session,
            "transfer.challenged",
            principal.actor,
            target_type="transfer",
            target_id=transfer.id,
            details={"amount": money.amount, "currency": money.currency, "method": method},
        )
        return TransferOutcome(transfer, challenge_method=method)
    _post(session, principal, transfer, src, dst)
    return TransferOutcome(transfer)


def _replay(earlier: Transfer, request_hash: str) -> TransferOutcome:
    if earlier.request_hash != request_hash:
        raise E.IdempotencyKeyReused("This Idempotency-Key was used for another request.")
    return TransferOutcome(
        earlier,
        replayed=True,
        challenge_method=(
            earlier.challenge_method if earlier.status == "awaiting_confirmation" else None
        ),
    )


def _purpose(transfer: Transfer) -> str:
    return f"tx:{transfer.id.hex[-29:]}"


def _send_challenge(session: Session, principal: Principal, transfer: Transfer) -> str:
    from kassa.identity.auth_service import send_otp

    user = session.get(User, principal.user_id)
    assert user is not None
    if user.totp_enabled:
        return "totp"
    if user.phone:
        send_otp(session, user, _purpose(transfer), user.phone)
        return "sms"
    raise NoSecondFactor("Set up an authenticator app or a phone number to send this amount.")


def resend_challenge(session: Session, principal: Principal, transfer_id: uuid.UUID) -> str:
    transfer = own_transfer(session, principal, transfer_id)
    if transfer.status != "awaiting_confirmation":
        raise Conflict("The transfer needs no confirmation.", code="transfer_not_awaiting")
    return _send_challenge(session, principal, transfer)


def own_transfer(session: Session, principal: Principal, transfer_id: uuid.UUID) -> Transfer:
    transfer = session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound("No such transfer.", code="transfer_not_found")
    if transfer.requested_by != principal.user_id and not principal.is_staff:
        # Also the recipient's holders may see a transfer; nobody else.
        visible = customer_ids_for(session, principal)
        accounts = session.scalars(
            sa.select(Account.customer_id).where(
                Account.id.in_([transfer.from_account_id, transfer.to_account_id])
            )
        )
        if not set(accounts) & set(visible):
            raise NotFound("No such transfer.", code="transfer_not_found")
    return transfer


def confirm_transfer(
    session: Session, principal: Principal, transfer_id: uuid.UUID, code: str
) -> TransferOutcome:
    from kassa.identity.auth_service import check_sms_code, check_totp

    transfer = session.get(Transfer, transfer_id)
    if transfer is None or transfer.requested_by != principal.user_id:
        raise NotFound("No such transfer.", code="transfer_not_found")
    if transfer.status == "completed":
        return TransferOutcome(transfer, replayed=True)
    if transfer.status != "awaiting_confirmation":
        raise Conflict(f"The transfer is {transfer.status}.", code="transfer_not_awaiting")
    user = session.get(User, principal.user_id)
    assert user is not None
    if transfer.challenge_method == "totp":
        ok = check_totp(session, user, code)
    else:
        ok = check_sms_code(session, user, _purpose(transfer), code)
    if not ok:
        raise ChallengeFailed("The code is wrong or has expired; ask for a new one.")
    src = session.get(Account, transfer.from_account_id)
    dst = session.get(Account, transfer.to_account_id)
    assert src is not None and dst is not None
    transfer.status = "completed"
    _post(session, principal, transfer, src, dst)
    return TransferOutcome(transfer)


def _post(
    session: Session, principal: Principal, transfer: Transfer, src: Account, dst: Account
) -> None:
    src_customer = session.get(Customer, src.customer_id)
    dst_customer = session.get(Customer, dst.customer_id)
    assert src_customer is not None and dst_customer is not None
    cur = transfer.currency
    legs = [
        ledger.Leg(src.id, transfer.amount + transfer.fee, cur),
        ledger.Leg(dst.id, -transfer.amount, cur),
    ]
    if transfer.fee:
        legs.append(ledger.Leg(ledger.bank_account(session, "fee_income", cur), -transfer.fee, cur))
    text = transfer.description or "Transfer"
    result = ledger.post_entry(
        session,
        ledger.EntrySpec(
            legs=legs,
            kind="transfer",
            description=text,
            meta={
                "transfer_id": str(transfer.id),
                "fee": transfer.fee,
                "parties": _parties(src, dst, src_customer.display_name, dst_customer.display_name),
            },
        ),
    )
    transfer.entry_id = result.entry_id
    transfer.completed_at = utcnow()
    session.flush()
    record(
        session,
        "transfer.completed",
        principal.actor,
        target_type="transfer",
        target_id=transfer.id,
        details={
            "from": src.number,
            "to": dst.number,
            "amount": transfer.amount,
            "fee": transfer.fee,
            "currency": cur,
            "entry_id": result.entry_id,
        },
    )


# --------------------------------------------------------------------------- history
@dataclass(slots=True)
class HistoryFilter:
    start: datetime | None = None
    end: datetime | None = None
    direction: str | None = None  # "in" | "out"
    min_amount: int | None = None
    max_amount: int | None = None
    counterparty: str | None = None
    text: str | None = None


@dataclass(slots=True)
class HistoryLine:
    posting_id: int
    entry_id: uuid.UUID
    booked_at: datetime
    amount: int  # + money in, - money out
    currency: str
    description: str
    kind: str
    counterparty_name: str | None
    counterparty_number: str | None
    transfer_id: str | None


def encode_cursor(booked_at: datetime, posting_id: int) -> str:
    return base64.urlsafe_b64encode(f"{booked_at.isoformat()}|{posting_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, _, pid = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), int(pid)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unprocessable("The cursor is not valid.", code="cursor_invalid") from exc


def history(
    session: Session, account: Account, flt: HistoryFilter, *, cursor: str | None, limit: int
) -> tuple[list[HistoryLine], str | None]:
    """Newest first. Customer accounts are liabilities: a credit (negative posting) is money in."""
    where = ["p.account_id = :a"]
    params: dict[str, Any] = {"a": account.id, "own": str(account.id), "lim": limit + 1}
    if flt.start:
        where.append("p.booked_at >= :start")
        params["start"] = flt.start
    if flt.end:
        where.append("p.booked_at < :end")
        params["end"] = flt.end
    if flt.direction == "in":
        where.append("p.amount < 0")
    elif flt.direction == "out":
        where.append("p.amount > 0")
    if flt.min_amount is not None:
        where.append("abs(p.amount) >= :min")
        params["min"] = flt.min_amount
    if flt.max_amount is not None:
        where.append("abs(p.amount) <= :max")
        params["max"] = flt.max_amount
    party = "(e.meta->'parties'->:own)"
    if flt.counterparty:
        where.append(f"({party}->>'name' ILIKE :cp OR {party}->>'number' LIKE :cp)")
        params["cp"] = contains_pattern(flt.counterparty)
    if flt.text:
        where.append(f"(e.description ILIKE :q OR {party}->>'name' ILIKE :q)")
        params["q"] = contains_pattern(flt.text)
    if cursor:
        at, pid = decode_cursor(cursor)
        where.append("(p.booked_at, p.id) < (:c_at, :c_id)")
        params["c_at"], params["c_id"] = at, pid
    rows = session.execute(
        sa.text(
            f"SELECT p.id, p.entry_id, p.booked_at, p.amount, p.currency, e.description, e.kind,"
            f" {party}->>'name', {party}->>'number', e.meta->>'transfer_id'"
            f" FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id"
            f" WHERE {' AND '.join(where)} ORDER BY p.booked_at DESC, p.id DESC LIMIT :lim"
        ),
        params,
    ).all()
    lines = [
        HistoryLine(r[0], r[1], r[2], -r[3], r[4], r[5], r[6], r[7], r[8], r[9])
        for r in rows[:limit]
    ]
    next_cursor = (
        encode_cursor(lines[-1].booked_at, lines[-1].posting_id)
        if len(rows) > limit and lines
        else None
    )
    return lines, next_cursor


def lines_after(
    session: Session, account_id: uuid.UUID, after_id: int, limit: int = 100
) -> list[HistoryLine]:
    """Postings newer (by id) than ``after_id``: the real-time event stream."""
    party = "(e.meta->'parties'->:own)"
    rows = session.execute(
        sa.text(
            f"SELECT p.id, p.entry_id, p.booked_at, p.amount, p.currency, e.description, e.kind,"
            f" {party}->>'name', {party}->>'number', e.meta->>'transfer_id'"
            f" FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id"
            f" WHERE p.account_id = :a AND p.id > :after ORDER BY p.id LIMIT :lim"
        ),
        {"a": account_id, "own": str(account_id), "after": after_id, "lim": limit},
    ).all()
    return [HistoryLine(r[0], r[1], r[2], -r[3], r[4], r[5], r[6], r[7], r[8], r[9]) for r in rows]


def last_posting_id(session: Session, account_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            sa.text("SELECT coalesce(max(id), 0) FROM ledger_postings WHERE account_id = :a"),
            {"a": account_id},
        )
        or 0
    )


def money_text(amount: int, currency: str) -> str:
    return f"{format_minor(amount, currency)} {currency}"


def as_money(amount: int, currency: str) -> Money:
    return Money(amount, currency)
