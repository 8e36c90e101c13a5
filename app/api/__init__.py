"""The JSON API under ``/api/v1`` for other systems, authenticated with bearer tokens."""
