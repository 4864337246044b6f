from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kassa.app import create_app
from kassa.demo import load_demo


@pytest.fixture
def app_client(db_url: str) -> Iterator[TestClient]:
    load_demo()
    with TestClient(create_app()) as client:
        yield client
