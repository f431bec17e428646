"""Configuration: a mapping with safe defaults, overridden by COMPLIANCE_* environment variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from compliance.core.accreditation_schemes import Schemes, SchemesError, parse_schemes
from compliance.core.sectors import Sectors, SectorsError, parse_sectors

PREFIX = "COMPLIANCE_"
ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    "PARTNERSHIP_NAME": "Wolverhampton Domestic Violence Forum",
    "PARTNERSHIP_SHORT_NAME": "WDVF",
    "SERVICE_NAME": "Domestic abuse compliance returns",
    "CONTACT_EMAIL": "",
    "BASE_URL": "",  # the public address links in mail are built on; empty: only from a TRUSTED_HOSTS request
    # The host names the service is reached at, comma-separated: a request naming any other host is refused, so a
    # link built from a request's address can be trusted. Empty: the Host header is not checked, and no link is
    # ever built from it.
    "TRUSTED_HOSTS": "",
    "DATABASE": "",  # empty: compliance.sqlite in the instance folder
    "EVIDENCE_DIR": "",  # empty: evidence/ in the instance folder
    "QUESTIONNAIRES": str(ROOT / "questionnaires"),
    "SECTORS_FILE": str(ROOT / "sectors.toml"),  # the partnership's sectors; the shipped list by default
    # the accreditation schemes organisations can record that they hold; the shipped list by default
    "ACCREDITATIONS_FILE": str(ROOT / "accreditations.toml"),
    "MAIL_SERVER": "",  # empty: mail is written to the log and the outbox page
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    # bandit B105: the default is no password (SMTP without login)
    "MAIL_PASSWORD": "",  # nosec B105
    "MAIL_SENDER": "",
    "MAX_UPLOAD_MB": 20,
    "TRUST_PROXIES": 0,  # how many reverse proxies in front set X-Forwarded-For/-Proto/-Host
    "LOAD_DEMO": False,  # load (or refresh) the fictional demo partnership at start-up, as `make run` does
}

_INTS = {"MAIL_PORT", "MAX_UPLOAD_MB", "TRUST_PROXIES"}
_BOOLS = {"MAIL_USE_TLS", "LOAD_DEMO"}


def from_environment(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Defaults overridden by COMPLIANCE_<NAME> variables, with SECRET_KEY only if it is set."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for name in [*DEFAULTS, "SECRET_KEY"]:
        raw = environ.get(PREFIX + name)
        if raw is None:
            continue
        if name in _INTS:
            config[name] = int(raw)
        elif name in _BOOLS:
            config[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            config[name] = raw
    hosts = [host.strip() for host in str(config["TRUSTED_HOSTS"] or "").split(",") if host.strip()]
    config["TRUSTED_HOSTS"] = hosts or None  # Flask's own setting: None checks nothing
    return config


def read_sectors(path: str | Path) -> Sectors:
    """The partnership's sectors from their file; raises SectorsError naming the file and each problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SectorsError([f"{path}: (file): cannot be read ({exc.strerror}); check the path in "
                            f"{PREFIX}SECTORS_FILE"]) from exc
    return parse_sectors(data, name=str(path))


def read_accreditation_schemes(path: str | Path) -> Schemes:
    """The accreditation schemes from their file; raises SchemesError naming the file and each problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SchemesError([f"{path}: (file): cannot be read ({exc.strerror}); check the path in "
                            f"{PREFIX}ACCREDITATIONS_FILE"]) from exc
    return parse_schemes(data, name=str(path))


def instance_secret_key(instance_path: str) -> str:
    """A random key kept in the instance folder, made on first use: never a built-in default."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
