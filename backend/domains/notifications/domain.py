"""The notifications domain, as the app sees it (core.domain.Domain)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.domains.notifications import mutations, queries, subscriptions

DOMAIN = Domain(
    name="notifications",
    query=queries.NotificationsQuery,
    mutation=mutations.NotificationsMutation,
    subscription=subscriptions.NotificationsSubscription,
    parts=(queries,),
    models="backend.domains.notifications.models",
)
