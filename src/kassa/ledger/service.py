"""The ledger: the only code that writes postings.

Every money movement is a journal entry of two or more postings that balance per currency.
Three paths post, with the same checks, refusals and lock order: ``post_entries`` (a batch,
from Python, steps in ``kassa.ledger.engine``), ``post_entry`` (one entry in the caller's
unit of work, by the server-side function ``ledger_post_entry``) and ``post_entry_now`` (one
entry in a transaction of its own, group-committed with concurrent callers by
``ledger_post_group``).

Lock order across the platform: idempotency keys (sorted) < holds (sorted) < balance rows
(sorted by account, shard) < the audit chain (taken at commit).

This module is the ledger's public face: the rest of Kassa uses the ledger through it
(``from kassa.ledger import service as L``). The code lives in these modules of
``kassa.ledger``:

- ``specs``: what an entry is (``Leg``, ``EntrySpec``, ``PostResult``) and its static checks.
- ``ledger_accounts``: opening accounts, the bank's own accounts, status, overdraft limits.
- ``balance_rows``: reading and locking balance rows, writing their changes back.
- ``engine``: the batch posting engine, ``post_entries``.
- ``single``: one entry by the server-side functions, ``post_entry`` and ``post_entry_now``.
- ``reversals``: ``reverse_entry``.
- ``holds``: two-phase transfers (create, post, void and expire holds).
- ``reading``: balances and statements.
- ``verify``: recomputing every balance from the postings.
"""

from __future__ import annotations

from kassa.ledger.engine import post_entries as post_entries
from kassa.ledger.holds import HoldResult as HoldResult
from kassa.ledger.holds import create_hold as create_hold
from kassa.ledger.holds import expire_all_holds as expire_all_holds
from kassa.ledger.holds import expire_holds as expire_holds
from kassa.ledger.holds import post_hold as post_hold
from kassa.ledger.holds import void_hold as void_hold
from kassa.ledger.ledger_accounts import BANK_ACCOUNTS as BANK_ACCOUNTS
from kassa.ledger.ledger_accounts import DEFAULT_BANK_SHARDS as DEFAULT_BANK_SHARDS
from kassa.ledger.ledger_accounts import bank_account as bank_account
from kassa.ledger.ledger_accounts import bank_account_code as bank_account_code
from kassa.ledger.ledger_accounts import create_account as create_account
from kassa.ledger.ledger_accounts import set_overdraft_limit as set_overdraft_limit
from kassa.ledger.ledger_accounts import set_status as set_status
from kassa.ledger.reading import Balance as Balance
from kassa.ledger.reading import Statement as Statement
from kassa.ledger.reading import StatementLine as StatementLine
from kassa.ledger.reading import balance_at as balance_at
from kassa.ledger.reading import get_balance as get_balance
from kassa.ledger.reading import statement as statement
from kassa.ledger.reversals import reverse_entry as reverse_entry
from kassa.ledger.single import GROUP_ARGS as GROUP_ARGS
from kassa.ledger.single import group_params as group_params
from kassa.ledger.single import post_entry as post_entry
from kassa.ledger.single import post_entry_now as post_entry_now
from kassa.ledger.single import post_group as post_group
from kassa.ledger.single import post_outcome as post_outcome
from kassa.ledger.specs import MAX_BATCH as MAX_BATCH
from kassa.ledger.specs import EntrySpec as EntrySpec
from kassa.ledger.specs import Leg as Leg
from kassa.ledger.specs import PostResult as PostResult
from kassa.ledger.specs import request_hash as request_hash
from kassa.ledger.specs import to_money as to_money
from kassa.ledger.specs import transfer as transfer
from kassa.ledger.specs import validate as validate
from kassa.ledger.verify import VerifyReport as VerifyReport
from kassa.ledger.verify import verify as verify
