"""Auditors' verification of each answer of a signed return, and the audit summary per organisation."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("verification", __name__)
