"""Stored files by ID: their uploader, or staff of the company they belong to."""

from __future__ import annotations

from backend.core.access import nodes_by_pk
from backend.core.gql import register_node
from backend.domains.files.models import Upload
from backend.domains.files.types import StoredFile

register_node(StoredFile, nodes_by_pk(Upload, StoredFile.from_model))
