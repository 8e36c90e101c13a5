"""Exchanges through the JSON API."""

from __future__ import annotations
