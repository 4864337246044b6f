"""Validator checks of entry detail and addenda records."""

from __future__ import annotations

from .codes import (
    ADV_CODES,
    CHANGE_CODES,
    CONTESTED_RETURN_CODES,
    CREDIT_TEXT,
    DEBIT_TEXT,
    DISHONORED_RETURN_CODES,
    IAT_TRANSACTION_TYPE_CODES,
    PRENOTE_CODES,
    TRANSACTION_CODES_BY_TEXT,
)
from .digits import isnum
from .fields import is_date
from .returns import corrected_data_problem
from .routing import routing_ok_cached
from .sec import SecPolicy
from .validator_base import (
    _ADDENDA_TYPES,
    _ADV_NUMERIC,
    _ALL_CHANGE_CODES,
    _IAT_MANDATORY,
    _IAT_NUMERIC,
    _RETURN_CODES,
    _blank_or_zeros,
    _Entry,
)
from .validator_headers import HeaderChecks


class EntryChecks(HeaderChecks):
    """Entry detail and addenda checks."""

    def _entry_record(self, n: int, line: str) -> None:
        if not self.in_batch:
            self.issue(n, "6", "", "ACH-REC-ORDER", "Entry Detail record outside a batch")
            return
        if self.entry is not None:
            self._close_entry()
        kind = self.b_kind
        if kind:
            if kind == "adv":
                self._adv_entry(n, line)
            else:
                self._iat_entry(n, line)
            return
        tc = line[1:3]
        rdfi = line[3:11]
        amount_text = line[29:39]
        trace = line[79:94]
        indicator = line[78]
        policy = self.b_policy
        # One combined test covers every numeric field of a sound record.
        if not (
            (tc + line[3:12] + amount_text + indicator + trace).isdigit()
            and line.isascii()
            and line.isprintable()
        ):
            self._entry_diagnose(n, line)
            amount = int(amount_text) if isnum(amount_text) and amount_text.isascii() else 0
            rdfi_value = int(rdfi) if isnum(rdfi) and rdfi.isascii() else 0
        else:
            amount = int(amount_text)
            rdfi_value = int(rdfi)
            if self._chk_digit and not routing_ok_cached(line[3:12]):
                self.issue(
                    n,
                    "6",
                    "check_digit",
                    "ACH-ED-CHECK-DIGIT",
                    f"check digit {line[11]} does not match RDFI {rdfi}",
                )
            if rdfi == "00000000":
                self.issue(
                    n, "6", "rdfi_identification", "ACH-ED-RDFI", "RDFI identification is zeros"
                )
            if trace == "000000000000000":
                self.issue(n, "6", "trace_number", "ACH-ED-TRACE-NUMBER", "trace number is zeros")
        self.b_entries += 1
        self.b_hash += rdfi_value
        if tc in CREDIT_TEXT:
            self.b_credit += amount
            if not self.b_credit_ok:
                self.issue(
                    n,
                    "6",
                    "transaction_code",
                    "ACH-ED-SERVICE-CLASS-MISMATCH",
                    f"credit {tc} in a debits-only (225) batch",
                )
        elif tc in DEBIT_TEXT:
            self.b_debit += amount
            if not self.b_debit_ok:
                self.issue(
                    n,
                    "6",
                    "transaction_code",
                    "ACH-ED-SERVICE-CLASS-MISMATCH",
                    f"debit {tc} in a credits-only (220) batch",
                )
        else:
            self.issue(
                n,
                "6",
                "transaction_code",
                "ACH-ED-TRANSACTION-CODE",
                f"{tc!r} is not a transaction code",
            )
        if not line[12:29].strip():
            self.issue(
                n, "6", "dfi_account_number", "ACH-ED-ACCOUNT", "DFI account number is blank"
            )
        if trace <= self.b_last_trace and self._chk_trace_order:
            self.issue(
                n,
                "6",
                "trace_number",
                "ACH-ED-TRACE-ORDER",
                f"trace number {trace} does not ascend",
            )
        self.b_last_trace = trace
        if self._chk_trace_odfi and trace[:8] != self.b_odfi:
            self.issue(
                n,
                "6",
                "trace_number",
                "ACH-ED-TRACE-ODFI",
                f"trace number {trace} does not start with ODFI {self.b_odfi}",
            )
        if indicator not in "01":
            self.issue(
                n,
                "6",
                "addenda_record_indicator",
                "ACH-ED-ADDENDA-INDICATOR",
                f"{indicator!r} is not 0 or 1",
            )
        code = TRANSACTION_CODES_BY_TEXT.get(tc)
        if code is not None:
            if code in PRENOTE_CODES and amount:
                self.issue(
                    n, "6", "amount", "ACH-ED-PRENOTE-ZERO", f"prenote {tc} has amount {amount}"
                )
            if code in ADV_CODES:
                self.issue(
                    n,
                    "6",
                    "transaction_code",
                    "ACH-ED-TRANSACTION-CODE-SEC",
                    f"ADV transaction code {tc} outside an ADV batch",
                )
        declared = -1
        if policy is not None:
            if (
                policy.transaction_codes
                and code is not None
                and code not in policy.transaction_codes
            ):
                self.issue(
                    n,
                    "6",
                    "transaction_code",
                    "ACH-ED-TRANSACTION-CODE-SEC",
                    f"transaction code {tc} is not allowed in {policy.code} batches",
                )
            if policy.zero_amount and amount:
                self.issue(
                    n,
                    "6",
                    "amount",
                    "ACH-ED-ZERO-AMOUNT-SEC",
                    f"{policy.code} entries carry a zero amount",
                )
            if policy.addenda_count_field:
                cnt = line[54:58]
                declared = int(cnt) if isnum(cnt) and cnt.isascii() else -2
            self._entry_policy(n, line, policy, amount, tc)
        self.entry = _Entry(n, indicator, trace[8:], declared, "C" if tc in CREDIT_TEXT else "D")

    def _entry_policy(self, n: int, line: str, policy: SecPolicy, amount: int, tc: str) -> None:
        """SEC-specific checks that do not depend on the entry's addenda."""
        if policy.name_required and self._chk_name and _blank_or_zeros(line[54:76]):
            self.issue(
                n,
                "6",
                "individual_name",
                "ACH-ED-INDIVIDUAL-NAME",
                f"{policy.code} entries need an individual name",
            )
        if policy.amount_limit and self._chk_limits and amount > policy.amount_limit:
            self.issue(
                n,
                "6",
                "amount",
                "ACH-ED-AMOUNT-LIMIT",
                f"amount {amount} exceeds the {policy.code} limit {policy.amount_limit}",
            )
        if policy.check_serial and not line[39:54].strip():
            self.issue(
                n,
                "6",
                "check_serial_number",
                "ACH-ED-CHECK-SERIAL",
                f"{policy.code} entries need a check serial number",
            )
        if policy.code == "SHR":
            month, year = line[39:41], line[41:43]
            if not ("01" <= month <= "12" and len(month) == 2 and isnum(month)) or not (
                isnum(year) and year.isascii()
            ):
                self.issue(
                    n,
                    "6",
                    "card_expiration_date",
                    "ACH-ED-CARD-EXPIRATION",
                    f"{line[39:43]!r} is not an MMYY expiration date",
                )

    def _entry_diagnose(self, n: int, line: str) -> None:
        """Field-by-field report for an entry that failed the fast test."""
        if not (line.isascii() and line.isprintable()):
            self._chars(n, line, "6")
        tc = line[1:3]
        if not (isnum(tc) and tc.isascii()):
            self.issue(
                n,
                "6",
                "transaction_code",
                "ACH-ED-TRANSACTION-CODE",
                f"{tc!r} is not a transaction code",
            )
        rdfi = line[3:11]
        if not (isnum(rdfi) and rdfi.isascii()) or rdfi == "00000000":
            self.issue(
                n,
                "6",
                "rdfi_identification",
                "ACH-ED-RDFI",
                f"{rdfi!r} is not an eight-digit RDFI identification",
            )
        elif not (isnum(line[11]) and line[11].isascii()):
            self.issue(
                n,
                "6",
                "check_digit",
                "ACH-FIELD-NUMERIC",
                f"check digit {line[11]!r} is not a digit",
            )
        elif self._chk_digit and not routing_ok_cached(line[3:12]):
            self.issue(
                n,
                "6",
                "check_digit",
                "ACH-ED-CHECK-DIGIT",
                f"check digit {line[11]} does not match RDFI {rdfi}",
            )
        amount = line[29:39]
        if not (isnum(amount) and amount.isascii()):
            self.issue(n, "6", "amount", "ACH-ED-AMOUNT", f"amount {amount!r} is not numeric")
        trace = line[79:94]
        if not (isnum(trace) and trace.isascii()) or trace == "000000000000000":
            self.issue(
                n,
                "6",
                "trace_number",
                "ACH-ED-TRACE-NUMBER",
                f"trace number {trace!r} is not 15 digits",
            )

    def _adv_entry(self, n: int, line: str) -> None:
        if not (line.isascii() and line.isprintable()):
            self._chars(n, line, "6adv")
        self._numeric(n, line, "6", _ADV_NUMERIC)
        tc = line[1:3]
        code = TRANSACTION_CODES_BY_TEXT.get(tc)
        if code is None or code not in ADV_CODES:
            self.issue(
                n,
                "6",
                "transaction_code",
                "ACH-ED-TRANSACTION-CODE-SEC",
                f"{tc!r} is not an ADV transaction code (81-88)",
            )
        rdfi = line[3:11]
        if (
            self._chk_digit
            and isnum(rdfi)
            and isnum(line[11])
            and not routing_ok_cached(line[3:12])
        ):
            self.issue(
                n,
                "6",
                "check_digit",
                "ACH-ED-CHECK-DIGIT",
                f"check digit {line[11]} does not match RDFI {rdfi}",
            )
        amount = int(line[27:39]) if isnum(line[27:39]) else 0
        self.b_entries += 1
        self.b_hash += int(rdfi) if isnum(rdfi) else 0
        if code is not None and code.value % 2 == 1:
            self.b_credit += amount
        elif code is not None:
            self.b_debit += amount
        if line[78] not in "01":
            self.issue(
                n,
                "6",
                "addenda_record_indicator",
                "ACH-ED-ADDENDA-INDICATOR",
                f"{line[78]!r} is not 0 or 1",
            )
        self.entry = _Entry(n, line[78], "", -1)

    def _iat_entry(self, n: int, line: str) -> None:
        if not (line.isascii() and line.isprintable()):
            self._chars(n, line, "6iat")
        self._numeric(n, line, "6", _IAT_NUMERIC)
        tc = line[1:3]
        rdfi = line[3:11]
        code = TRANSACTION_CODES_BY_TEXT.get(tc)
        if code is None or code in ADV_CODES:
            self.issue(
                n,
                "6",
                "transaction_code",
                "ACH-ED-TRANSACTION-CODE",
                f"{tc!r} is not a transaction code",
            )
        if (
            self._chk_digit
            and isnum(rdfi)
            and isnum(line[11])
            and not routing_ok_cached(line[3:12])
        ):
            self.issue(
                n,
                "6",
                "check_digit",
                "ACH-ED-CHECK-DIGIT",
                f"check digit {line[11]} does not match RDFI {rdfi}",
            )
        if not line[39:74].strip():
            self.issue(
                n, "6", "dfi_account_number", "ACH-ED-ACCOUNT", "DFI account number is blank"
            )
        amount = int(line[29:39]) if isnum(line[29:39]) else 0
        self.b_entries += 1
        self.b_hash += int(rdfi) if isnum(rdfi) else 0
        if tc in CREDIT_TEXT:
            self.b_credit += amount
            if not self.b_credit_ok:
                self.issue(
                    n,
                    "6",
                    "transaction_code",
                    "ACH-ED-SERVICE-CLASS-MISMATCH",
                    f"credit {tc} in a debits-only (225) batch",
                )
        elif tc in DEBIT_TEXT:
            self.b_debit += amount
            if not self.b_debit_ok:
                self.issue(
                    n,
                    "6",
                    "transaction_code",
                    "ACH-ED-SERVICE-CLASS-MISMATCH",
                    f"debit {tc} in a credits-only (220) batch",
                )
        if code is not None and code in PRENOTE_CODES and amount:
            self.issue(n, "6", "amount", "ACH-ED-PRENOTE-ZERO", f"prenote {tc} has amount {amount}")
        trace = line[79:94]
        if trace <= self.b_last_trace and self._chk_trace_order:
            self.issue(
                n,
                "6",
                "trace_number",
                "ACH-ED-TRACE-ORDER",
                f"trace number {trace} does not ascend",
            )
        self.b_last_trace = trace
        if self._chk_trace_odfi and trace[:8] != self.b_odfi:
            self.issue(
                n,
                "6",
                "trace_number",
                "ACH-ED-TRACE-ODFI",
                f"trace number {trace} does not start with ODFI {self.b_odfi}",
            )
        if line[78] not in "01":
            self.issue(
                n,
                "6",
                "addenda_record_indicator",
                "ACH-ED-ADDENDA-INDICATOR",
                f"{line[78]!r} is not 0 or 1",
            )
        self.entry = _Entry(n, line[78], trace[8:], -1)

    # ------------------------------------------------------------------ addenda
    def _addenda(self, n: int, line: str) -> None:
        entry = self.entry
        if entry is None:
            self.issue(
                n, "7", "", "ACH-AD-OUTSIDE-ENTRY", "addenda record without an entry before it"
            )
            return
        self.b_addenda += 1
        entry.addenda += 1
        code = line[1:3]
        entry.types.append(code)
        if not (line.isascii() and line.isprintable()):
            self._chars(n, line, "7" + code)
        if code not in _ADDENDA_TYPES:
            self.issue(
                n, "7", "type_code", "ACH-AD-TYPE-CODE", f"addenda type {code!r} is not valid"
            )
            return
        category = "noc" if code == "98" else "return" if code == "99" else "forward"
        if category != "forward":
            entry.forward = False
        if (
            entry.category
            and entry.category != category
            and not (self.b_kind == "iat" and entry.category == "forward")
        ):
            self.issue(
                n,
                "7",
                "type_code",
                "ACH-AD-CATEGORY",
                f"addenda {code} mixes {category} with {entry.category} addenda",
            )
        if not entry.category or category != "forward":
            entry.category = category
        if code == "05" or code == "17" or code == "18":
            seq = line[83:87]
            if not (isnum(seq) and seq.isascii()):
                self.issue(
                    n, "7", "sequence_number", "ACH-FIELD-NUMERIC", f"{seq!r} is not numeric"
                )
            elif code == "05" and int(seq) != entry.addenda and not self._lenient_sequence(line):
                self.issue(
                    n,
                    "7",
                    "sequence_number",
                    "ACH-AD-SEQUENCE",
                    f"addenda sequence {int(seq)} should be {entry.addenda}",
                )
        if code == "99":
            self._addenda99(n, line)
        elif code == "98":
            self._addenda98(n, line)
        elif code == "10":
            tt = line[3:6]
            if tt not in IAT_TRANSACTION_TYPE_CODES:
                self.issue(
                    n,
                    "7",
                    "transaction_type_code",
                    "ACH-AD-IAT-TRANSACTION-TYPE",
                    f"{tt!r} is not an IAT transaction type code",
                )
        elif code == "02":
            self._numeric(n, line, "7", (("trace_number", 79, 94),))
        if self._strict and code in ("05", "10", "11", "12", "13", "14", "15", "16", "17", "18"):
            eseq = line[87:94]
            if entry.sequence and eseq != entry.sequence:
                self.issue(
                    n,
                    "7",
                    "entry_detail_sequence_number",
                    "ACH-AD-ENTRY-SEQUENCE",
                    f"{eseq!r} does not match the entry's trace sequence {entry.sequence}",
                )

    def _lenient_sequence(self, line: str) -> bool:
        """moov-io/ach accepts 05 addenda whose sequence fields are shifted; so do we
        unless strict fields are required."""
        return not self._strict

    def _addenda99(self, n: int, line: str) -> None:
        code = line[3:6]
        if code not in _RETURN_CODES and not self.options.custom_return_codes:
            self.issue(
                n,
                "7",
                "return_reason_code",
                "ACH-AD-RETURN-CODE",
                f"{code!r} is not a Nacha return reason code",
            )
        trace = line[6:21]
        if not (isnum(trace) and trace.isascii()):
            self.issue(
                n,
                "7",
                "original_trace_number",
                "ACH-AD-ORIGINAL-TRACE",
                f"{trace!r} is not 15 digits",
            )
        if code in DISHONORED_RETURN_CODES or code in CONTESTED_RETURN_CODES:
            rt = line[38:53]
            if not (isnum(rt) and rt.isascii()):
                self.issue(
                    n, "7", "return_trace_number", "ACH-FIELD-NUMERIC", f"{rt!r} is not numeric"
                )
        else:
            dod = line[21:27]
            if dod.strip() and not is_date(dod):
                self.issue(
                    n, "7", "date_of_death", "ACH-FIELD-DATE", f"{dod!r} is not a YYMMDD date"
                )

    def _addenda98(self, n: int, line: str) -> None:
        code = line[3:6]
        if code not in _ALL_CHANGE_CODES:
            self.issue(
                n, "7", "change_code", "ACH-AD-CHANGE-CODE", f"{code!r} is not a change code"
            )
        trace = line[6:21]
        if not (isnum(trace) and trace.isascii()):
            self.issue(
                n,
                "7",
                "original_trace_number",
                "ACH-AD-ORIGINAL-TRACE",
                f"{trace!r} is not 15 digits",
            )
        data = line[35:64].rstrip()
        if code in CHANGE_CODES:
            problem = corrected_data_problem(code, data)
            if problem:
                self.issue(n, "7", "corrected_data", "ACH-AD-CORRECTED-DATA", problem)

    def _close_entry(self) -> None:
        """Checks that need the entry's complete set of addenda."""
        entry = self.entry
        if entry is None:
            return
        self.entry = None
        n = entry.line
        count = entry.addenda
        if count and entry.indicator != "1":
            self.issue(
                n,
                "6",
                "addenda_record_indicator",
                "ACH-ED-ADDENDA-INDICATOR",
                "addenda follow but the indicator is not 1",
            )
        elif not count and entry.indicator == "1":
            self.issue(
                n,
                "6",
                "addenda_record_indicator",
                "ACH-ED-ADDENDA-INDICATOR",
                "indicator is 1 but no addenda follow",
            )
        policy = self.b_policy
        if policy is None:
            return
        if self.b_kind == "iat":
            types = [t for t in entry.types if t not in ("98", "99")]
            if tuple(types[:7]) != _IAT_MANDATORY:
                self.issue(
                    n,
                    "6",
                    "addenda",
                    "ACH-AD-IAT-ORDER",
                    "IAT entries need addenda 10-16 once each, in order",
                )
            if types.count("17") > 2 or types.count("18") > 5:
                self.issue(
                    n,
                    "6",
                    "addenda",
                    "ACH-AD-COUNT",
                    "IAT entries carry at most two 17 and five 18 addenda",
                )
            return
        if policy.code == "COR":
            if entry.types != ["98"] and entry.types != ["99"]:
                self.issue(
                    n, "6", "addenda", "ACH-AD-REQUIRED", "COR entries carry exactly one 98 addenda"
                )
            return
        if not entry.forward:
            return
        if policy.debit_only and entry.direction == "C":
            self.issue(
                n,
                "6",
                "transaction_code",
                "ACH-ED-DEBIT-ONLY",
                f"{policy.code} entries are debits only",
            )
        elif policy.credit_only and entry.direction == "D":
            self.issue(
                n,
                "6",
                "transaction_code",
                "ACH-ED-CREDIT-ONLY",
                f"{policy.code} entries are credits only",
            )
        if count:
            for t in entry.types:
                if t not in policy.forward_addenda:
                    self.issue(
                        n,
                        "6",
                        "addenda",
                        "ACH-AD-NOT-ALLOWED",
                        f"addenda {t} is not allowed on {policy.code} entries",
                    )
                    break
            if count > policy.max_addenda and policy.forward_addenda:
                self.issue(
                    n,
                    "6",
                    "addenda",
                    "ACH-AD-COUNT",
                    f"{count} addenda exceed the {policy.code} limit of {policy.max_addenda}",
                )
        if policy.required_addenda and policy.required_addenda not in entry.types:
            self.issue(
                n,
                "6",
                "addenda",
                "ACH-AD-REQUIRED",
                f"{policy.code} entries need a {policy.required_addenda} addenda",
            )
        if entry.declared != -1 and entry.declared != count:
            self.issue(
                n,
                "6",
                "number_of_addenda_records",
                "ACH-ED-ADDENDA-COUNT-FIELD",
                f"entry declares {entry.declared} addenda but {count} follow",
            )

    # ------------------------------------------------------------------ batch control
