"""The `kassa ach` sub-application, driven through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kassa.ach import validate
from kassa.ach.cli import app

from .conftest import corpus_file

runner = CliRunner()

JSON_INPUT = {
    "immediate_destination": "231380104",
    "immediate_origin": "121042882",
    "immediate_destination_name": "Federal Reserve Bank",
    "immediate_origin_name": "My Bank Name",
    "file_creation_date": "250102",
    "file_creation_time": "1200",
    "batches": [
        {
            "sec_code": "PPD",
            "company_name": "Kassa Payroll",
            "company_identification": "1234567890",
            "company_entry_description": "PAYROLL",
            "odfi_identification": "12104288",
            "effective_entry_date": "250103",
            "entries": [
                {
                    "transaction_code": 22,
                    "routing_number": "231380104",
                    "account_number": "12345678",
                    "amount": 150000,
                    "individual_name": "Alice Example",
                },
                {
                    "transaction_code": 32,
                    "routing_number": "121042882",
                    "account_number": "87654321",
                    "amount": 2500,
                    "individual_name": "Bob Example",
                    "addenda": ["Bonus"],
                },
            ],
        }
    ],
}


def _write_sample(tmp_path: Path) -> Path:
    src = tmp_path / "in.json"
    src.write_text(json.dumps(JSON_INPUT))
    out = tmp_path / "out.ach"
    result = runner.invoke(app, ["build", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_build_validate_describe(tmp_path: Path) -> None:
    out = _write_sample(tmp_path)
    assert validate(out) == []
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0 and "valid" in result.output
    result = runner.invoke(app, ["describe", str(out)])
    assert result.exit_code == 0
    assert "2 entries" in result.output and "1,525.00" in result.output


def test_build_csv_and_crlf(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "sec_code,company_name,company_identification,company_entry_description,odfi_identification,effective_entry_date,transaction_code,routing_number,account_number,amount,individual_name\n"
        "PPD,Kassa,1234567890,PAYROLL,12104288,250103,22,231380104,111,100,Alice\n"
        "CCD,Kassa,1234567890,VENDOR,12104288,250103,27,231380104,222,200,Acme\n"
    )
    out = tmp_path / "out.ach"
    result = runner.invoke(
        app,
        [
            "build",
            str(src),
            "-o",
            str(out),
            "--crlf",
            "--destination",
            "231380104",
            "--origin",
            "121042882",
        ],
    )
    assert result.exit_code == 0, result.output
    assert b"\r\n" in out.read_bytes()
    assert validate(out) == []


def test_build_refuses_float_amounts(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(JSON_INPUT))
    bad["batches"][0]["entries"][0]["amount"] = 10.5
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(bad))
    result = runner.invoke(app, ["build", str(src), "-o", str(tmp_path / "x.ach")])
    assert result.exit_code == 1
    assert "integer" in result.output


def test_validate_invalid_json_and_allow() -> None:
    path = corpus_file("test__testdata__ppd-debit-invalid-entryDetail-checkDigit.ach")
    result = runner.invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["valid"] is False
    assert doc["issues"][0]["rule"] == "ACH-ED-CHECK-DIGIT" and doc["issues"][0]["line"] == 3
    result = runner.invoke(app, ["validate", str(path), "--allow", "AllowInvalidCheckDigit"])
    assert result.exit_code == 0
    result = runner.invoke(app, ["validate", str(path), "--allow", "allow_invalid_check_digit"])
    assert result.exit_code == 0
    result = runner.invoke(app, ["validate", str(path), "--allow", "bogus"])
    assert result.exit_code == 1 and "unknown validation option" in result.output


def test_malformed_and_binary_inputs(tmp_path: Path) -> None:
    binary = tmp_path / "bin.ach"
    binary.write_bytes(bytes(range(256)) * 20)
    for args in (
        ["validate", str(binary)],
        ["describe", str(binary)],
        ["validate", str(tmp_path / "missing.ach")],
    ):
        result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert result.exit_code in (0, 1)
    result = runner.invoke(app, ["validate", str(binary)])
    assert result.exit_code == 1
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    result = runner.invoke(app, ["build", str(garbage), "-o", str(tmp_path / "o.ach")])
    assert result.exit_code == 1 and "JSON" in result.output
    result = runner.invoke(
        app, ["build", str(binary), "-o", str(tmp_path / "o.ach"), "--format", "json"]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output


def test_python_dash_m_entry_point() -> None:
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[2] / "src"
    proc = subprocess.run(
        [sys.executable, "-m", "kassa.ach", "--help"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert proc.returncode == 0 and "validate" in proc.stdout
