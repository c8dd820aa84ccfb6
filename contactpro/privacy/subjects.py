"""Finding a data subject: the customer a phone number or national id names, and their rows."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contactpro.errors import BadRequestError, NotFoundError
from contactpro.models import Customer, Interaction
from contactpro.phone import to_e164

_ID_SEPARATORS = re.compile(r"[\s.\-]")


def find_customer(session: Session, *, phone: str = "", national_id: str = "") -> Customer:
    """Return the customer with this phone number or national id (exactly one must be given).

    Raises BadRequestError for a missing or malformed value, NotFoundError for no customer.
    """
    if bool(phone) == bool(national_id):
        raise BadRequestError("give exactly one of --phone and --national-id")
    if phone:
        number = to_e164(phone)
        if number is None:
            raise BadRequestError(f"{phone!r} is not a phone number (use +57...)")
        found = session.scalars(select(Customer).where(Customer.phone == number)).first()
        what = f"phone {number}"
    else:
        value = _ID_SEPARATORS.sub("", national_id)
        found = session.scalars(
            select(Customer).where(Customer.national_id.in_({value, national_id.strip()}))
        ).first()
        what = f"national id {value}"
    if found is None:
        raise NotFoundError(f"no customer with {what}")
    return found


def interaction_ids(session: Session, customer: Customer) -> list[int]:
    """Every conversation of the customer: identified, or from their number before that."""
    numbers = {customer.phone, f"whatsapp:{customer.phone}"}
    return list(
        session.scalars(
            select(Interaction.id)
            .where(
                or_(Interaction.customer_id == customer.id, Interaction.from_number.in_(numbers))
            )
            .order_by(Interaction.id)
        )
    )
