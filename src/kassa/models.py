"""Every domain's tables, imported in one place for Alembic and the tests."""

from __future__ import annotations

from kassa.accounts import models as accounts_models  # noqa: F401
from kassa.audit import models as audit_models  # noqa: F401
from kassa.customers import models as customers_models  # noqa: F401
from kassa.identity import models as identity_models  # noqa: F401
from kassa.kit.db import Base
from kassa.ledger import models as ledger_models  # noqa: F401
from kassa.support import models as support_models  # noqa: F401

metadata = Base.metadata
