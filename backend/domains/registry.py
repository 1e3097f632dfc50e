"""Every domain of the app, in the order their fields appear in the schema. A new domain adds its DOMAIN here."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.accounts.domain import DOMAIN as ACCOUNTS
from backend.domains.audit.domain import DOMAIN as AUDIT
from backend.domains.auth.domain import DOMAIN as AUTH
from backend.domains.files.domain import DOMAIN as FILES
from backend.domains.imports.domain import DOMAIN as IMPORTS
from backend.domains.jobs.domain import DOMAIN as JOBS
from backend.domains.notifications.domain import DOMAIN as NOTIFICATIONS
from backend.domains.repairs.domain import DOMAIN as REPAIRS
from backend.domains.reports.domain import DOMAIN as REPORTS
from backend.domains.residents.domain import DOMAIN as RESIDENTS
from backend.domains.tenancy.domain import DOMAIN as TENANCY
from backend.domains.trusted.domain import DOMAIN as TRUSTED

DOMAINS: tuple[Domain, ...] = (AUTH, TENANCY, ACCOUNTS, RESIDENTS, AUDIT, REPORTS, IMPORTS, FILES, REPAIRS,
                               NOTIFICATIONS, JOBS, TRUSTED)
