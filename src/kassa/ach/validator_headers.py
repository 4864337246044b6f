"""Validator checks of headers and controls (file header, batch header, batch and file control)."""

from __future__ import annotations

from .digits import isnum
from .fastpath import compile_run_pattern
from .fields import is_date, is_time
from .routing import routing_ok_cached
from .sec import POLICIES
from .validator_base import (
    _ADV_BC_NUMERIC,
    _ADV_FC_NUMERIC,
    _BC_NUMERIC,
    _FC_NUMERIC,
    _MOD,
    _VALID_SCC,
    ValidatorBase,
    _blank_or_zeros,
)


class HeaderChecks(ValidatorBase):
    """Header and control record checks."""

    def _file_header(self, n: int, line: str) -> None:
        if self.header_seen or n != 1:
            self.issue(n, "1", "", "ACH-REC-ORDER", "File Header is not the first record")
        self.header_seen = True
        o = self.options
        if not (line.isascii() and line.isprintable()):
            self._chars(n, line, "1")
        dest = line[3:13].strip()
        if not o.bypass_destination_validation:
            if not dest.strip("0"):
                self.issue(
                    n,
                    "1",
                    "immediate_destination",
                    "ACH-FIELD-REQUIRED",
                    "Immediate Destination is blank or zeros",
                )
            elif not (
                len(dest) == 9 and isnum(dest) and dest.isascii() and routing_ok_cached(dest)
            ):
                self.issue(
                    n,
                    "1",
                    "immediate_destination",
                    "ACH-FH-DESTINATION",
                    f"{dest!r} is not a routing number with a valid check digit",
                )
        origin = line[13:23].strip()
        if not o.bypass_origin_validation:
            if not origin.strip("0"):
                self.issue(
                    n,
                    "1",
                    "immediate_origin",
                    "ACH-FH-ORIGIN",
                    "Immediate Origin is blank or zeros",
                )
            elif o.require_aba_origin and not (
                len(origin) == 9 and isnum(origin) and routing_ok_cached(origin)
            ):
                self.issue(
                    n,
                    "1",
                    "immediate_origin",
                    "ACH-FH-ORIGIN-ABA",
                    f"{origin!r} is not a routing number",
                )
        if not is_date(line[23:29]):
            self.issue(
                n,
                "1",
                "file_creation_date",
                "ACH-FH-CREATION-DATE",
                f"{line[23:29]!r} is not a YYMMDD date",
            )
        tm = line[29:33]
        if tm.strip() and not is_time(tm):
            self.issue(
                n, "1", "file_creation_time", "ACH-FIELD-TIME", f"{tm!r} is not an HHMM time"
            )
        mod = line[33]
        if mod != " " and not (mod.isascii() and (mod.isupper() or isnum(mod))):
            self.issue(
                n, "1", "file_id_modifier", "ACH-FH-FILE-ID-MODIFIER", f"{mod!r} is not A-Z or 0-9"
            )
        if line[34:37] != "094":
            self.issue(
                n,
                "1",
                "record_size",
                "ACH-FH-RECORD-SIZE",
                f"record size {line[34:37]!r} is not 094",
            )
        if line[37:39] != "10":
            self.issue(
                n,
                "1",
                "blocking_factor",
                "ACH-FH-BLOCKING-FACTOR",
                f"blocking factor {line[37:39]!r} is not 10",
            )
        if line[39] != "1":
            self.issue(
                n, "1", "format_code", "ACH-FH-FORMAT-CODE", f"format code {line[39]!r} is not 1"
            )

    # ------------------------------------------------------------------ batch header
    def _batch_header(self, n: int, line: str) -> None:
        if self.in_batch:
            self._end_batch(n, None)
            self.issue(
                self.b_line_prev, "8", "", "ACH-BC-MISSING", "batch has no Batch Control record"
            )
        self._reset_batch()
        self.in_batch = True
        self.b_line = n
        if not (line.isascii() and line.isprintable()):
            self._chars(n, line, "5")
        scc = line[1:4]
        sec = line[50:53]
        self.b_scc = scc
        self.b_sec = sec
        self.b_odfi = line[79:87]
        self.b_company = line[40:50]
        self.b_number = line[87:94]
        if scc not in _VALID_SCC:
            self.issue(
                n,
                "5",
                "service_class_code",
                "ACH-BH-SERVICE-CLASS",
                f"service class {scc!r} is not 200, 220, 225 or 280",
            )
        self.b_credit_ok = scc != "225"
        self.b_debit_ok = scc != "220"
        iat = sec == "IAT" or (sec == "COR" and line[4:20].rstrip() == "IATCOR")
        policy = POLICIES.get("IAT" if iat else sec)
        if policy is None:
            self.issue(n, "5", "sec_code", "ACH-BH-SEC-CODE", f"SEC code {sec!r} is not supported")
        self.b_policy = policy
        self.b_fast = None
        if sec == "ADV":
            self.b_kind = "adv"
            self.any_adv = True
            if scc != "280":
                self.issue(
                    n,
                    "5",
                    "service_class_code",
                    "ACH-BH-SEC-SERVICE-CLASS",
                    "ADV batches use service class 280",
                )
        elif scc == "280":
            self.issue(
                n,
                "5",
                "service_class_code",
                "ACH-BH-SEC-SERVICE-CLASS",
                "service class 280 is only for ADV batches",
            )
        if iat:
            # IAT batches (and IATCOR notifications of change) use the IAT layouts.
            # moov-io/ach does not hold IAT entries to the 220/225 direction rule,
            # and neither do we, so real IAT files it accepts pass here too.
            self.b_kind = "iat"
            self.b_credit_ok = self.b_debit_ok = True
            fx = line[20:22]
            if fx not in ("FV", "VF", "FF"):
                self.issue(
                    n,
                    "5",
                    "foreign_exchange_indicator",
                    "ACH-BH-IAT-FIELDS",
                    f"{fx!r} is not FV, VF or FF",
                )
            if line[22] not in "123":
                self.issue(
                    n,
                    "5",
                    "foreign_exchange_reference_indicator",
                    "ACH-BH-IAT-FIELDS",
                    f"{line[22]!r} is not 1, 2 or 3",
                )
            if _blank_or_zeros(line[40:50]):
                self.issue(
                    n,
                    "5",
                    "originator_identification",
                    "ACH-BH-COMPANY-ID",
                    "originator identification is blank or zeros",
                )
        else:
            if _blank_or_zeros(line[4:20]):
                self.issue(
                    n, "5", "company_name", "ACH-BH-COMPANY-NAME", "company name is blank or zeros"
                )
            if _blank_or_zeros(line[40:50]):
                self.issue(
                    n,
                    "5",
                    "company_identification",
                    "ACH-BH-COMPANY-ID",
                    "company identification is blank or zeros",
                )
        if _blank_or_zeros(line[53:63]):
            self.issue(
                n,
                "5",
                "company_entry_description",
                "ACH-BH-ENTRY-DESCRIPTION",
                "company entry description is blank or zeros",
            )
        if policy is not None and policy.description and line[53:63].rstrip() != policy.description:
            self.issue(
                n,
                "5",
                "company_entry_description",
                "ACH-BH-DESCRIPTION-SEC",
                f"{sec} batches use the description {policy.description}",
            )
        if line[78] not in "012":
            self.issue(
                n,
                "5",
                "originator_status_code",
                "ACH-BH-ORIGINATOR-STATUS",
                f"{line[78]!r} is not 0, 1 or 2",
            )
        odfi = line[79:87]
        if not (isnum(odfi) and odfi.isascii()) or odfi == "00000000":
            self.issue(
                n,
                "5",
                "odfi_identification",
                "ACH-BH-ODFI",
                f"{odfi!r} is not an eight-digit ODFI identification",
            )
        bn = line[87:94]
        if not (isnum(bn) and bn.isascii()):
            self.issue(n, "5", "batch_number", "ACH-FIELD-NUMERIC", f"{bn!r} is not numeric")
        else:
            number = int(bn)
            if number <= self.last_batch_number:
                self.issue(
                    n,
                    "5",
                    "batch_number",
                    "ACH-BH-BATCH-NUMBER-ORDER",
                    f"batch number {number} does not ascend",
                )
            self.last_batch_number = number
        if self._strict and line[69:75].strip() and not is_date(line[69:75]):
            self.issue(
                n,
                "5",
                "effective_entry_date",
                "ACH-BH-EFFECTIVE-DATE",
                f"{line[69:75]!r} is not a YYMMDD date",
            )
        if self.use_fast_path:
            self.b_fast = compile_run_pattern(self)

    b_line_prev = 0

    # ------------------------------------------------------------------ entries
    def _batch_control(self, n: int, line: str) -> None:
        if not self.in_batch:
            self.issue(n, "8", "", "ACH-REC-ORDER", "Batch Control record outside a batch")
            return
        self._end_batch(n, line)

    def _end_batch(self, n: int, line: str | None) -> None:
        """Close the open batch; ``line`` is its control record, or None when missing."""
        self._close_entry()
        count = self.b_entries + self.b_addenda
        hsh = self.b_hash % _MOD
        if self.b_entries == 0:
            self.issue(self.b_line, "5", "", "ACH-BATCH-NO-ENTRIES", "batch has no entries")
        if line is not None:
            if not (line.isascii() and line.isprintable()):
                self._chars(n, line, "8adv" if self.b_kind == "adv" else "8")
            adv = self.b_kind == "adv"
            self._numeric(n, line, "8", _ADV_BC_NUMERIC if adv else _BC_NUMERIC)
            c_count = line[4:10]
            if isnum(c_count) and int(c_count) != count:
                self.issue(
                    n,
                    "8",
                    "entry_addenda_count",
                    "ACH-BC-ENTRY-COUNT",
                    f"control says {int(c_count)}, batch has {count}",
                )
            c_hash = line[10:20]
            if isnum(c_hash) and int(c_hash) != hsh:
                self.issue(
                    n,
                    "8",
                    "entry_hash",
                    "ACH-BC-ENTRY-HASH",
                    f"control says {int(c_hash)}, computed {hsh}",
                )
            deb, cred = (line[20:40], line[40:60]) if adv else (line[20:32], line[32:44])
            if isnum(deb) and int(deb) != self.b_debit:
                self.issue(
                    n,
                    "8",
                    "total_debit",
                    "ACH-BC-DEBIT-TOTAL",
                    f"control says {int(deb)}, computed {self.b_debit}",
                )
            if isnum(cred) and int(cred) != self.b_credit:
                self.issue(
                    n,
                    "8",
                    "total_credit",
                    "ACH-BC-CREDIT-TOTAL",
                    f"control says {int(cred)}, computed {self.b_credit}",
                )
            if line[1:4] != self.b_scc:
                self.issue(
                    n,
                    "8",
                    "service_class_code",
                    "ACH-BC-HEADER-MISMATCH",
                    f"service class {line[1:4]} differs from header {self.b_scc}",
                )
            if not adv and self.b_kind != "iat" and line[44:54].strip() != self.b_company.strip():
                self.issue(
                    n,
                    "8",
                    "company_identification",
                    "ACH-BC-HEADER-MISMATCH",
                    f"company {line[44:54]!r} differs from header {self.b_company!r}",
                )
            if line[79:87] != self.b_odfi:
                self.issue(
                    n,
                    "8",
                    "odfi_identification",
                    "ACH-BC-HEADER-MISMATCH",
                    f"ODFI {line[79:87]} differs from header {self.b_odfi}",
                )
            if line[87:94] != self.b_number:
                self.issue(
                    n,
                    "8",
                    "batch_number",
                    "ACH-BC-HEADER-MISMATCH",
                    f"batch number {line[87:94]} differs from header {self.b_number}",
                )
        self.batch_count += 1
        self.f_count += count
        self.f_hash += self.b_hash
        self.f_debit += self.b_debit
        self.f_credit += self.b_credit
        self.b_line_prev = self.b_line
        self._reset_batch()

    # ------------------------------------------------------------------ file control
    def _file_control(self, n: int, line: str) -> None:
        if self.in_batch:
            self._end_batch(n, None)
            self.issue(
                self.b_line_prev, "8", "", "ACH-BC-MISSING", "batch has no Batch Control record"
            )
        self.control_seen = True
        self.control_line = n
        if not (line.isascii() and line.isprintable()):
            self._chars(n, line, "9")
        adv = self.any_adv
        self._numeric(n, line, "9", _ADV_FC_NUMERIC if adv else _FC_NUMERIC)
        self._fc_text = line

    def _check_file_control(self) -> None:
        line = self._fc_text
        n = self.control_line
        adv = self.any_adv
        bc = line[1:7]
        if isnum(bc) and int(bc) != self.batch_count:
            self.issue(
                n,
                "9",
                "batch_count",
                "ACH-FC-BATCH-COUNT",
                f"control says {int(bc)}, file has {self.batch_count}",
            )
        blocks = line[7:13]
        if isnum(blocks):
            if int(blocks) == 0 and self.batch_count:
                self.issue(n, "9", "block_count", "ACH-FC-BLOCK-COUNT", "block count is zero")
            if self.options.require_blocking:
                total = self.records
                if total % 10 or int(blocks) != total // 10:
                    self.issue(
                        n,
                        "9",
                        "block_count",
                        "ACH-FILE-BLOCKING",
                        f"{total} records with block count {int(blocks)}",
                    )
        cnt = line[13:21]
        if isnum(cnt) and int(cnt) != self.f_count:
            self.issue(
                n,
                "9",
                "entry_addenda_count",
                "ACH-FC-ENTRY-COUNT",
                f"control says {int(cnt)}, file has {self.f_count}",
            )
        hsh = line[21:31]
        if isnum(hsh) and int(hsh) != self.f_hash % _MOD:
            self.issue(
                n,
                "9",
                "entry_hash",
                "ACH-FC-ENTRY-HASH",
                f"control says {int(hsh)}, computed {self.f_hash % _MOD}",
            )
        deb, cred = (line[31:51], line[51:71]) if adv else (line[31:43], line[43:55])
        if isnum(deb) and int(deb) != self.f_debit:
            self.issue(
                n,
                "9",
                "total_debit",
                "ACH-FC-DEBIT-TOTAL",
                f"control says {int(deb)}, computed {self.f_debit}",
            )
        if isnum(cred) and int(cred) != self.f_credit:
            self.issue(
                n,
                "9",
                "total_credit",
                "ACH-FC-CREDIT-TOTAL",
                f"control says {int(cred)}, computed {self.f_credit}",
            )

    _fc_text = ""
    control_line = 0

    # ------------------------------------------------------------------ end
