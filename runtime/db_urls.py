"""Which URL each database role of the engine connects with.

Three roles (db/sql/0007_roles.sql): the owner migrates and rebuilds, the app (workers, ingest,
projection runner) appends and projects, reports only read. A deployment that configures one URL
uses it for all three, as before roles existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

Role = Literal["owner", "app", "report"]

# The PostgreSQL role each engine role logs in as on the embedded server.
ROLE_NAMES: dict[Role, str] = {"owner": "ccm_owner", "app": "ccm_app", "report": "ccm_report"}


@dataclass(frozen=True)
class DatabaseUrls:
    """One URL per role; ``owner`` may be a superuser's until 0007 has handed the schema over."""

    app: str
    owner: str
    report: str

    @classmethod
    def single(cls, url: str) -> DatabaseUrls:
        """Every role on one URL (a deployment that has not split its roles)."""
        return cls(app=url, owner=url, report=url)

    def for_role(self, role: Role) -> str:
        return {"app": self.app, "owner": self.owner, "report": self.report}[role]


def with_login(url: str, user: str, password: str | None) -> str:
    """``url`` logging in as ``user`` (with ``password``, when given); host, path and query kept."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    login = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit(parts._replace(netloc=f"{login}@{host}"))


def without_password(url: str) -> str:
    """``url`` with its password removed (the user kept), for files others may read."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return with_login(url, parts.username or "", None)
