"""The audit domain has no relations of its own to batch; it installs the mutation audit hook."""

from backend.core.gql import set_audit_hook
from backend.domains.audit.service import record

set_audit_hook(record)
