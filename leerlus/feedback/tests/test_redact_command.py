# SPDX-License-Identifier: EUPL-1.2
"""``leerlus redact`` as an operator uses it: text in on standard input, redacted text out."""

import json
import subprocess
import sys
from pathlib import Path

LEERLUS = str(Path(sys.executable).with_name("leerlus"))


def _redact(text: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [LEERLUS, "redact", *args],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        env={"DJANGO_SETTINGS_MODULE": "leerlus.settings.test", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_redact_replaces_personal_data_with_typed_placeholders():
    result = _redact(
        "Mijn naam is Jan de Vries, BSN 111222333, IBAN NL91ABNA0417164300.\n"
        "Bel 06-12345678 of mail jan@example.nl. Ik woon op 1234 AB 12.\n",
        "--counts",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Mijn naam is [NAAM], BSN [BSN], IBAN [IBAN].\n"
        "Bel [TELEFOON] of mail [EMAIL]. Ik woon op [POSTCODE_HUISNUMMER].\n"
    )
    assert json.loads(result.stderr) == {
        "BSN": 1,
        "EMAIL": 1,
        "IBAN": 1,
        "NAAM": 1,
        "POSTCODE_HUISNUMMER": 1,
        "TELEFOON": 1,
    }


def test_redact_lines_streams_each_line():
    result = _redact("geen persoonsgegevens\nbel 0612345678\n", "--lines")

    assert result.stdout == "geen persoonsgegevens\nbel [TELEFOON]\n"
