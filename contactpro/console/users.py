"""Console users (agents, managers, admins): creation, passwords and roles."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from contactpro.config import LANGUAGES
from contactpro.console.common_passwords import COMMON_PASSWORDS, SEQUENCES
from contactpro.console.sessions import end_all_sessions
from contactpro.errors import ContactProError
from contactpro.models import Agent
from contactpro.models.escalations import ROLES
from contactpro.phone import to_e164

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
MIN_DISTINCT_CHARS = 5
# "P@ssw0rd" is "password" to anyone guessing.
_LEET = str.maketrans("@4310$57!", "aaeiosstl")
# werkzeug's scrypt (n=2**15); tests swap in a cheap method to stay fast.
HASH_METHOD = "scrypt"
_RANK = {role: rank for rank, role in enumerate(ROLES)}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Checked when the e-mail is unknown, so a wrong address costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class UserError(ContactProError):
    """A user cannot be created or changed as asked."""

    reason = "bad_user"


def has_role(agent: Agent, required: str) -> bool:
    """Return True when ``agent`` holds ``required`` or a higher role (agent < manager < admin)."""
    return _RANK.get(agent.role, -1) >= _RANK[required]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def check_password(password: str, email: str = "") -> None:
    """Refuse a password that is short, common, repetitive, a key run or the e-mail itself."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(
            f"the password needs at least {MIN_PASSWORD_CHARS} characters", reason="weak_password"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise UserError(
            f"the password may have at most {MAX_PASSWORD_CHARS} characters", reason="weak_password"
        )
    folded = _fold(password)
    alnum = re.sub(r"[\W_]+", "", folded)
    stem = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", folded)
    if (
        alnum in COMMON_PASSWORDS
        or stem in COMMON_PASSWORDS
        or stem.translate(_LEET) in COMMON_PASSWORDS
        or len(set(folded)) < MIN_DISTINCT_CHARS
        or any(alnum in run for run in SEQUENCES)
    ):
        raise UserError("the password is too common or too easy to guess", reason="common_password")
    address = _fold(email.strip())
    local = address.split("@")[0]
    if address and (folded == address or folded in address or address in folded):
        raise UserError("the password must not contain the e-mail address", reason="email_password")
    if len(local) >= 3 and local in folded:
        raise UserError(
            f"the password must not contain the part of the e-mail address before the @ ({local})",
            reason="email_password",
        )


def find_by_email(session: Session, email: str) -> Agent | None:
    """Return the user with this e-mail address (case-insensitive), or None."""
    return session.scalars(
        select(Agent).where(func.lower(Agent.email) == email.strip().lower())
    ).first()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str = "agent",
    phone: str | None = None,
    languages: str = "es,en",
) -> Agent:
    """Add a user with a hashed password (flushes; the caller commits)."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise UserError(f"not an e-mail address: {email!r}", reason="bad_email")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}", reason="bad_role")
    if not name.strip():
        raise UserError("a name is required", reason="bad_name")
    wanted = [code.strip() for code in languages.split(",") if code.strip()]
    if not wanted or not set(wanted) <= set(LANGUAGES):
        raise UserError(f"languages must be among {', '.join(LANGUAGES)}", reason="bad_languages")
    number = to_e164(phone) if phone else None
    if phone and number is None:
        raise UserError(f"not a phone number: {phone!r}", reason="bad_phone")
    check_password(password, email)
    if find_by_email(session, email) is not None:
        raise UserError(f"a user with e-mail {email} already exists", reason="duplicate_email")
    agent = Agent(
        email=email,
        name=name.strip(),
        role=role,
        phone=number,
        languages=",".join(wanted),
        password_hash=generate_password_hash(password, method=HASH_METHOD),
        active=True,
    )
    session.add(agent)
    session.flush()
    return agent


def set_password(session: Session, agent: Agent, password: str) -> int:
    """Replace the user's password and end all their sessions; return how many ended."""
    check_password(password, agent.email)
    agent.password_hash = generate_password_hash(password, method=HASH_METHOD)
    return end_all_sessions(session, agent.id, "password")


def change_password(session: Session, agent: Agent, current: str, new: str) -> int:
    """Change one's own password, given the current one; end all sessions (caller commits)."""
    if not agent.password_hash or not check_password_hash(agent.password_hash, current):
        raise UserError("the current password is wrong", reason="wrong_password")
    if new == current:
        raise UserError("the new password must differ from the current one", reason="same_password")
    return set_password(session, agent, new)


def authenticate(session: Session, email: str, password: str) -> Agent | None:
    """Return the active user these credentials belong to, or None."""
    agent = find_by_email(session, email)
    if agent is None or not agent.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(agent.password_hash, password) or not agent.active:
        return None
    return agent


def list_users(session: Session) -> list[Agent]:
    """Return every user, managers first, then by name."""
    users = session.scalars(select(Agent).order_by(Agent.name)).all()
    return sorted(users, key=lambda a: -_RANK.get(a.role, -1))


def get_user(session: Session, email: str) -> Agent:
    """Return the user with this e-mail, or raise UserError."""
    agent = find_by_email(session, email)
    if agent is None:
        raise UserError(f"no user with e-mail {email}", reason="unknown_user")
    return agent


def deactivate(session: Session, email: str) -> Agent:
    """Stop a user from logging in and end their sessions (their history stays)."""
    agent = get_user(session, email)
    agent.active = False
    end_all_sessions(session, agent.id, "deactivated")
    return agent


def ui_language(agent: Agent | None, default: str) -> str:
    """Return the language the console speaks to ``agent``: the first they list."""
    if agent is not None:
        first = (agent.languages or "").split(",")[0].strip()
        if first in LANGUAGES:
            return first
    return default
