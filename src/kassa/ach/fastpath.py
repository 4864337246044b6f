"""Bulk checking of runs of plain entry detail records.

Most of a large file is runs of entry detail records without addenda.  For
each batch we compile one regular expression that matches exactly the entry
records the per-record validator would accept (transaction codes allowed by
the service class and SEC code, digits where digits belong, printable ASCII,
required fields present, trace prefix), then check a whole run with C-speed
``fullmatch`` calls and comprehensions.  Only when a run passes every test are
its totals added in bulk; otherwise the caller re-checks the run record by
record, so issues are always reported by the one authoritative per-record
path.  tests/ach/test_properties.py checks that both paths report the same
issues on mutated files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .codes import (
    ADV_CODES,
    CREDIT_CODES,
    CREDIT_TEXT,
    DEBIT_CODES,
    PRENOTE_CODES,
    TRANSACTION_CODES_BY_TEXT,
)
from .digits import isnum
from .routing import routing_ok_cached

if TYPE_CHECKING:
    from .validator_base import ValidatorBase as Validator

_P = "[ -~]"  # printable ASCII: what the per-record path accepts on its fast test


def compile_run_pattern(v: Validator) -> Callable[[str], object] | None:
    """The fullmatch function for plain entries of the open batch, or None when
    this batch must always take the per-record path."""
    policy = v.b_policy
    if policy is None or v.b_kind or policy.required_addenda or policy.code == "COR":
        return None
    odfi = v.b_odfi
    if not isnum(odfi) or len(odfi) != 8 or odfi == "00000000":
        return None
    codes = {c.value for c in TRANSACTION_CODES_BY_TEXT.values() if c.value not in ADV_CODES}
    if v.b_scc == "220":
        codes &= CREDIT_CODES
    elif v.b_scc == "225":
        codes &= DEBIT_CODES
    elif v.b_scc != "200":
        return None
    if policy.transaction_codes:
        codes &= set(policy.transaction_codes)
    if policy.debit_only:
        codes &= DEBIT_CODES
    if policy.credit_only:
        codes &= CREDIT_CODES
    if not codes:
        return None
    zero = {c for c in codes if c in PRENOTE_CODES or policy.zero_amount}
    money = codes - zero
    account = f"(?! {{17}}){_P}{{17}}"
    money_codes = "|".join(f"{c:02d}" for c in sorted(money))
    zero_codes = "|".join(f"{c:02d}" for c in sorted(zero))
    alternatives = []
    if money:
        alternatives.append(f"(?:{money_codes})(?!0{{8}})[0-9]{{9}}{account}[0-9]{{10}}")
    if zero:
        alternatives.append(f"(?:{zero_codes})(?!0{{8}})[0-9]{{9}}{account}0{{10}}")
    if policy.code == "SHR":
        ident = f"(?:0[1-9]|1[0-2])[0-9]{{2}}{_P}{{11}}"
    elif policy.check_serial:
        ident = f"(?! {{15}}){_P}{{15}}"
    else:
        ident = f"{_P}{{15}}"
    if policy.addenda_count_field:
        name = f"0000{_P}{{18}}"
    elif policy.name_required and v._chk_name:
        name = f"(?![ 0]{{22}}){_P}{{22}}"
    else:
        name = f"{_P}{{22}}"
    trace = f"{odfi}[0-9]{{7}}" if v._chk_trace_odfi else "(?!0{15})[0-9]{15}"
    entry = f"6(?:{'|'.join(alternatives)}){ident}{name}{_P}{{2}}0{trace}"
    # one match over the joined run: no per-record call
    return re.compile(f"(?:{entry}\n)*{entry}").fullmatch


def check_run(v: Validator, lines: list[str]) -> bool:
    """Check a run of entry records without addenda; on success add its totals."""
    match = v.b_fast
    if match is None or match("\n".join(lines)) is None:
        return False
    if v._chk_digit and not all(map(routing_ok_cached, {line[3:12] for line in lines})):
        return False
    traces = [line[79:94] for line in lines]
    if v._chk_trace_order and (
        traces[0] <= v.b_last_trace or not all(map(str.__lt__, traces, traces[1:]))
    ):
        return False
    amounts = list(map(int, [line[29:39] for line in lines]))
    policy = v.b_policy
    if (
        policy is not None
        and policy.amount_limit
        and v._chk_limits
        and max(amounts) > policy.amount_limit
    ):
        return False
    total = sum(amounts)
    if v.b_scc == "220":
        credit = total  # the pattern admits only credit codes
    elif v.b_scc == "225":
        credit = 0
    else:
        credit = sum(
            [a for line, a in zip(lines, amounts, strict=True) if line[1:3] in CREDIT_TEXT]
        )
    v.b_credit += credit
    v.b_debit += total - credit
    v.b_hash += sum(map(int, [line[3:11] for line in lines]))
    v.b_entries += len(lines)
    v.b_last_trace = traces[-1]
    return True
