"""The fixed list of organisation sectors, shared by frameworks (applicability) and organisations."""

SECTORS: dict[str, str] = {
    "police": "Police",
    "probation": "Probation",
    "health": "Health (NHS)",
    "local-authority": "Local authority",
    "housing": "Housing",
    "specialist": "Specialist domestic abuse service",
    "education": "Education",
    "voluntary": "Other voluntary and community",
}


def sector_label(code: str) -> str:
    """The label people see for a sector code."""
    return SECTORS.get(code, code)
