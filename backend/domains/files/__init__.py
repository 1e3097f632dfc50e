"""Files: uploaded photos and videos, stored through core.storage and attached to other domains' objects."""
