"""A keyring backend kept in one JSON file, for tests and benchmarks that start the real
application in a child process (an in-memory keyring dies with the test's process).

Select it with `PYTHON_KEYRING_BACKEND=tests.helpers.file_keyring.FileKeyring` and name
the file in `SWEEPLINE_TEST_KEYRING_FILE`. Plain text on purpose: test data only, in a
temporary folder; the product never uses it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors

FILE_VARIABLE = "SWEEPLINE_TEST_KEYRING_FILE"
BACKEND = "tests.helpers.file_keyring.FileKeyring"


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        name = os.environ.get(FILE_VARIABLE)
        if not name:
            raise keyring.errors.KeyringError(f"{FILE_VARIABLE} is not set")
        return Path(name)

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def _write(self, data: dict[str, str]) -> None:
        self._path.write_text(json.dumps(data), encoding="utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\n{username}"] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        data.pop(f"{service}\n{username}", None)
        self._write(data)
