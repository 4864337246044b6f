"""``kassa ach``: validate, describe and build NACHA files from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .buildinput import from_csv, from_json
from .errors import AchError
from .options import ValidateOptions
from .reader import Reader, validate
from .writer import write

app = typer.Typer(help="Read, validate and write NACHA (ACH) files.", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


def _options(allow: list[str] | None) -> ValidateOptions:
    try:
        return ValidateOptions.from_names(allow or [])
    except AchError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _existing(path: Path) -> None:
    if not path.is_file():
        _fail(f"{path} is not a readable file")


@app.command("validate")
def validate_cmd(
    file: Annotated[Path, typer.Argument(help="NACHA file to check")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow", help="Validation option to switch on (ours or moov's name); repeatable"
        ),
    ] = None,
) -> None:
    """Check FILE against every rule; exit 0 when valid, 1 when not."""
    options = _options(allow)
    _existing(file)
    try:
        issues = validate(file, options)
    except AchError as exc:
        _fail(str(exc))
        return
    if as_json:
        typer.echo(
            json.dumps(
                {"file": str(file), "valid": not issues, "issues": [i.to_dict() for i in issues]},
                indent=2,
            )
        )
    else:
        for issue in issues:
            typer.echo(str(issue))
        typer.echo(f"{file}: {'valid' if not issues else f'{len(issues)} issue(s)'}")
    if issues:
        raise typer.Exit(1)


def _money(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


@app.command("describe")
def describe_cmd(
    file: Annotated[Path, typer.Argument(help="NACHA file to summarise")],
    allow: Annotated[
        list[str] | None, typer.Option("--allow", help="Validation option to switch on")
    ] = None,
) -> None:
    """Summarise FILE: batches, entries and totals (streamed, any size)."""
    options = _options(allow)
    _existing(file)
    reader = Reader(file, options)
    rows: list[tuple[str, ...]] = []
    totals = [0, 0, 0, 0]  # entries, addenda, debit, credit
    current: list[object] | None = None
    last_batch = None
    try:
        for batch, entry in reader.entries():
            if batch is not last_batch:
                last_batch = batch
                h = batch.header
                current = [
                    h.batch_number,
                    h.sec_code,
                    h.service_class_code,
                    h.company_identification,
                    0,
                    0,
                    0,
                    0,
                ]
                rows.append(())  # placeholder, filled below
            assert current is not None
            current[4] = int(str(current[4])) + 1
            current[5] = int(str(current[5])) + len(entry.addenda)
            if entry.direction == "D":
                current[6] = int(str(current[6])) + entry.amount
            elif entry.direction == "C":
                current[7] = int(str(current[7])) + entry.amount
            rows[-1] = tuple(str(x) for x in current)
    except AchError as exc:
        _fail(str(exc))
    header = reader.header
    if header is not None:
        typer.echo(
            f"File: destination {header.immediate_destination} "
            f"{header.immediate_destination_name!r}, "
            f"origin {header.immediate_origin} {header.immediate_origin_name!r}, "
            f"created {header.file_creation_date} "
            f"{header.file_creation_time}, modifier {header.file_id_modifier}"
        )
    typer.echo(
        f"{'batch':>7} {'SEC':<4}{'class':>6} "
        f"{'company':<11}{'entries':>8}{'addenda':>8}{'debit':>18}{'credit':>18}"
    )
    for r in rows:
        totals[0] += int(r[4])
        totals[1] += int(r[5])
        totals[2] += int(r[6])
        totals[3] += int(r[7])
        typer.echo(
            f"{r[0]:>7} {r[1]:<4}{r[2]:>6} "
            f"{r[3]:<11}{r[4]:>8}{r[5]:>8}{_money(int(r[6])):>18}{_money(int(r[7])):>18}"
        )
    typer.echo(
        f"Total: {len(rows)} batch(es), {totals[0]} entries, {totals[1]} addenda, "
        f"debits {_money(totals[2])}, credits {_money(totals[3])}"
    )
    issues = reader.issues
    typer.echo(
        "Validation: "
        f"{'valid' if not issues else f'{len(issues)} issue(s); run validate for details'}"
    )


@app.command("build")
def build_cmd(
    input_file: Annotated[Path, typer.Argument(help="JSON or CSV entries (see docs/ach.md)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="NACHA file to write")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="json or csv (default: from the extension)")
    ] = None,
    crlf: Annotated[bool, typer.Option("--crlf", help="End lines with CRLF instead of LF")] = False,
    destination: Annotated[
        str | None, typer.Option(help="CSV: immediate destination routing number")
    ] = None,
    origin: Annotated[str | None, typer.Option(help="CSV: immediate origin")] = None,
    destination_name: Annotated[str, typer.Option(help="CSV: immediate destination name")] = "",
    origin_name: Annotated[str, typer.Option(help="CSV: immediate origin name")] = "",
) -> None:
    """Write a NACHA file built from JSON or CSV entries."""
    _existing(input_file)
    kind = (fmt or input_file.suffix.lstrip(".")).lower()
    try:
        text = input_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {input_file}: {exc}")
        return
    try:
        if kind == "json":
            file = from_json(text)
        elif kind == "csv":
            header = {
                "immediate_destination": destination,
                "immediate_origin": origin,
                "immediate_destination_name": destination_name,
                "immediate_origin_name": origin_name,
            }
            file = from_csv(text, header)
        else:
            _fail("input format must be json or csv (use --format)")
            return
        issues = validate(_render(file, crlf).encode("utf-8"))
        if issues:
            _fail("built file does not validate:\n" + "\n".join(str(i) for i in issues))
        write(file, output, "\r\n" if crlf else "\n")
    except AchError as exc:
        _fail(str(exc))
    typer.echo(f"wrote {output}: {file.entry_count} entries in {len(file.batches)} batch(es)")


def _render(file: object, crlf: bool) -> str:
    from .model import AchFile
    from .writer import dumps

    assert isinstance(file, AchFile)
    return dumps(file, "\r\n" if crlf else "\n")


def main() -> None:
    """Entry point for ``python -m kassa.ach``."""
    app()
