"""Entries from JSON or CSV for ``kassa ach build`` (format documented in docs/ach.md)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .digits import isnum
from .errors import AchBuildError
from .model import AchFile
from .writer import EntryInput, FileBuilder

_HEADER_KEYS = (
    "immediate_destination",
    "immediate_origin",
    "immediate_destination_name",
    "immediate_origin_name",
)
_BATCH_KEYS = (
    "sec_code",
    "company_name",
    "company_identification",
    "company_entry_description",
    "odfi_identification",
    "effective_entry_date",
)
_OPTIONAL_BATCH_KEYS = (
    "company_discretionary_data",
    "company_descriptive_date",
    "originator_status_code",
)


def _int(value: object, what: str) -> int:
    """Integers only: money is in cents, and a float or "10.00" is refused."""
    if isinstance(value, (bool, float)):
        raise AchBuildError(f"{what} must be an integer (cents), got {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not isnum(text):
        raise AchBuildError(f"{what} must be an integer (cents), got {value!r}")
    return int(text)


def _entry(row: dict[str, Any], where: str) -> EntryInput:
    try:
        addenda = row.get("addenda") or []
        if isinstance(addenda, str):
            addenda = [a for a in addenda.split("|") if a]
        return EntryInput(
            transaction_code=_int(row["transaction_code"], f"{where}: transaction_code"),
            routing_number=str(row["routing_number"]).strip(),
            account_number=str(row["account_number"]).strip(),
            amount=_int(row["amount"], f"{where}: amount"),
            individual_name=str(row.get("individual_name") or ""),
            identification_number=str(row.get("identification_number") or ""),
            discretionary_data=str(row.get("discretionary_data") or ""),
            addenda=[str(a) for a in addenda],
        )
    except KeyError as exc:
        raise AchBuildError(f"{where}: missing field {exc.args[0]!r}") from exc


def _builder(header: dict[str, Any]) -> FileBuilder:
    missing = [k for k in _HEADER_KEYS[:2] if not header.get(k)]
    if missing:
        raise AchBuildError(f"missing file field(s): {', '.join(missing)}")
    return FileBuilder(
        str(header["immediate_destination"]),
        str(header["immediate_origin"]),
        str(header.get("immediate_destination_name") or ""),
        str(header.get("immediate_origin_name") or ""),
        file_creation_date=header.get("file_creation_date"),
        file_creation_time=header.get("file_creation_time"),
        file_id_modifier=str(header.get("file_id_modifier") or "A"),
        reference_code=str(header.get("reference_code") or ""),
    )


def _batch_args(spec: dict[str, Any], where: str) -> dict[str, Any]:
    missing = [k for k in _BATCH_KEYS if not spec.get(k)]
    if missing:
        raise AchBuildError(f"{where}: missing batch field(s): {', '.join(missing)}")
    args = {k: str(spec[k]) for k in _BATCH_KEYS}
    args.update({k: str(spec[k]) for k in _OPTIONAL_BATCH_KEYS if spec.get(k)})
    return args


def from_json(text: str) -> AchFile:
    """Build a file from the JSON document described in docs/ach.md."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AchBuildError(f"input is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("batches"), list):
        raise AchBuildError("JSON input must be an object with a 'batches' list")
    builder = _builder(doc)
    for i, spec in enumerate(doc["batches"], start=1):
        if not isinstance(spec, dict):
            raise AchBuildError(f"batch {i} must be an object")
        batch = builder.add_batch(**_batch_args(spec, f"batch {i}"))
        for j, row in enumerate(spec.get("entries") or [], start=1):
            if not isinstance(row, dict):
                raise AchBuildError(f"batch {i} entry {j} must be an object")
            batch.add_entry(_entry(row, f"batch {i} entry {j}"))
    return builder.build()


def from_csv(text: str, header: dict[str, Any]) -> AchFile:
    """Build a file from CSV rows (one per entry); batches group rows with equal batch fields."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise AchBuildError("CSV input is empty")
    needed = set(_BATCH_KEYS) | {"transaction_code", "routing_number", "account_number", "amount"}
    missing = needed - set(reader.fieldnames)
    if missing:
        raise AchBuildError(f"CSV is missing column(s): {', '.join(sorted(missing))}")
    builder = _builder(header)
    batches: dict[tuple[str, ...], Any] = {}
    for n, row in enumerate(reader, start=2):
        key = tuple(row.get(k) or "" for k in (*_BATCH_KEYS, *_OPTIONAL_BATCH_KEYS))
        batch = batches.get(key)
        if batch is None:
            batch = builder.add_batch(**_batch_args(row, f"CSV line {n}"))
            batches[key] = batch
        batch.add_entry(_entry(row, f"CSV line {n}"))
    return builder.build()
