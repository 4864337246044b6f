"""The ledger's refusals: each a problem+json with its own stable code."""

from __future__ import annotations

from kassa.kit.errors import Conflict, NotFound, ProblemError, Unprocessable


class LedgerError(ProblemError):
    """Base of every ledger refusal (nothing was posted)."""


class AmountNotPositive(LedgerError, Unprocessable):
    code = "amount_not_positive"
    title = "Amount must be positive"


class AmountTooLarge(LedgerError, Unprocessable):
    code = "amount_too_large"
    title = "Amount does not fit in 64 bits"


class AmountNotInteger(LedgerError, Unprocessable):
    code = "amount_not_integer"
    title = "Amount must be an integer of minor units"


class UnknownCurrency(LedgerError, Unprocessable):
    code = "unknown_currency"
    title = "Unknown currency"


class CurrencyMismatch(LedgerError, Unprocessable):
    code = "currency_mismatch"
    title = "Currency does not match the account"


class Unbalanced(LedgerError, Unprocessable):
    code = "entry_unbalanced"
    title = "Journal entry does not balance"


class SameAccount(LedgerError, Unprocessable):
    code = "same_account"
    title = "Debit and credit account are the same"


class AccountNotFound(LedgerError, NotFound):
    code = "account_not_found"
    title = "Account not found"


class AccountFrozen(LedgerError, Conflict):
    code = "account_frozen"
    title = "Account is frozen"


class AccountClosed(LedgerError, Conflict):
    code = "account_closed"
    title = "Account is closed"


class InsufficientFunds(LedgerError, Unprocessable):
    code = "insufficient_funds"
    title = "Insufficient funds"


class IdempotencyKeyReused(LedgerError, Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency key was used for another request"


class HoldNotFound(LedgerError, NotFound):
    code = "hold_not_found"
    title = "Hold not found"


class HoldNotPending(LedgerError, Conflict):
    code = "hold_not_pending"
    title = "Hold is no longer pending"


class HoldExpired(LedgerError, Conflict):
    code = "hold_expired"
    title = "Hold has expired"


class EntryNotFound(LedgerError, NotFound):
    code = "entry_not_found"
    title = "Journal entry not found"


class AlreadyReversed(LedgerError, Conflict):
    code = "entry_already_reversed"
    title = "Journal entry was already reversed"


class BalanceNotZero(LedgerError, Conflict):
    code = "balance_not_zero"
    title = "Account balance is not zero"


class BatchTooLarge(LedgerError, Unprocessable):
    code = "batch_too_large"
    title = "Too many transfers in one batch"
