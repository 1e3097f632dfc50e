"""Keys of the residents loaders that other domains' types read.

Their batches (residents.loaders) build UnitBinding objects, so they import residents.types, which imports the
accounts and tenancy types; those types refer to UnitBinding only lazily and reach the bindings through these keys,
declared here apart from the batches so that they import nothing back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend.core.context import LoaderKey

if TYPE_CHECKING:
    from backend.domains.residents.types import UnitBinding

# A user's bindings the caller may see (all of their own): User.bindings, Viewer.bindings.
USER_BINDINGS: LoaderKey[int, list[UnitBinding]] = LoaderKey("user_bindings")
# A unit's approved residents by (unit, community, company), for those who may see them (else FORBIDDEN).
UNIT_RESIDENTS: LoaderKey[tuple[int, int, int], list[UnitBinding]] = LoaderKey("unit_residents")
# A unit's household by unit id, as its residents see it: members, and for its owners the invitations; [] otherwise.
UNIT_HOUSEHOLD: LoaderKey[int, list[UnitBinding]] = LoaderKey("unit_household")
