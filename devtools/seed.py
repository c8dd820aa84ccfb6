"""Realistic synthetic customers with accounts, invoices and payments, in Spanish and English."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpro.models import Account, Customer, Invoice, Payment

FIRST_ES = (
    "Alejandro Andrés Camila Carlos Daniela Diana Felipe Gabriela Jorge Juan Juliana Laura Luis "
    "María Mariana Natalia Paola Santiago Sofía Valentina Ximena Yolanda Óscar Lucía"
).split()
LAST_ES = (
    "Gómez Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores "
    "Rivera Vargas Castro Moreno Jiménez Rojas Ortiz Muñoz Guzmán Mejía Salazar"
).split()
FIRST_EN = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Susan "
    "Richard Jessica Joseph Sarah Thomas Karen Emily Daniel Grace Kevin"
).split()
LAST_EN = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Lee Thompson White Harris Clark Lewis Walker"
).split()
CITIES_CO = ("Bogotá", "Medellín", "Cali", "Barranquilla", "Cartagena", "Bucaramanga")
CITIES_MX = ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla")
CITIES_US = ("Miami", "Houston", "New York", "Los Angeles")
PLANS = {
    "COP": (
        ("Hogar Internet 100 Mb", 89_900),
        ("Hogar Triple Play 300 Mb", 159_900),
        ("Móvil Ilimitado", 54_900),
        ("Empresas Fibra 500 Mb", 329_900),
    ),
    "MXN": (("Internet Casa 100 Mb", 449), ("Paquete Doble 200 Mb", 699)),
    "USD": (("Home Internet 200 Mb", 55), ("Home Fiber 1 Gb", 85), ("Unlimited Mobile", 40)),
}
ITEMS = {
    "es": (
        "Cargo fijo mensual",
        "IVA",
        "Llamadas a larga distancia",
        "Alquiler de equipo",
        "Reconexión",
        "Recargo por mora",
    ),
    "en": (
        "Monthly plan",
        "Taxes and fees",
        "Long-distance calls",
        "Equipment rental",
        "Reconnection fee",
        "Late fee",
    ),
}


@dataclass(frozen=True)
class SeedSummary:
    """What :func:`seed_customers` created."""

    customers: int
    accounts: int
    invoices: int
    payments: int


def _phone(rng: random.Random, country: str) -> str:
    if country == "CO":
        return f"+573{rng.randint(0, 2)}{rng.randint(0, 9)}{rng.randint(1_000_000, 9_999_999)}"
    if country == "MX":
        return f"+521{rng.choice(('55', '33', '81'))}{rng.randint(10_000_000, 99_999_999)}"
    return f"+1{rng.choice(('305', '713', '212', '213'))}{rng.randint(2_000_000, 9_999_999)}"


def _national_id(rng: random.Random, country: str) -> tuple[str, str]:
    if country == "CO":
        return str(rng.randint(1_000_000, 1_199_999_999)), "CC"
    if country == "MX":
        letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        return f"{letters}{rng.randint(600101, 991231)}H{rng.randint(100, 999)}", "CURP"
    return f"{rng.randint(100, 899)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}", "SSN"


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


@dataclass
class _Bill:
    """A seeded invoice and when it was paid (None: not paid yet)."""

    invoice: Invoice
    paid_at: datetime | None = None
    method: str = ""


def _leave_latest_past_due_unpaid(bills: list[_Bill], today: date) -> None:
    """An account in arrears has not paid its latest bill already due (the current one may
    not be due yet)."""
    past_due = [bill for bill in bills if bill.invoice.due_date < today]
    if past_due:
        past_due[-1].paid_at = None


def _settle(session: Session, account: Account, bills: list[_Bill], today: date) -> int:
    """Write the payments and derive every figure the account states from its bills.

    An unpaid bill is overdue once its due date has passed, else open. The balance is what the
    unpaid bills add up to (payments settle whole bills), due by the latest bill's due date; the
    debt is the overdue part, past due since the oldest overdue bill's due date. Return the
    number of payments written.
    """
    overdue: list[Invoice] = []
    balance = Decimal(0)
    for bill in bills:
        invoice = bill.invoice
        if bill.paid_at is not None:
            invoice.status = "paid"
            session.add(
                Payment(
                    account=account,
                    invoice=invoice,
                    amount=invoice.total,
                    paid_at=bill.paid_at,
                    method=bill.method,
                    reference=f"P{account.number}{invoice.period_start:%y%m}",
                )
            )
            continue
        balance += invoice.total
        invoice.status = "overdue" if invoice.due_date < today else "open"
        if invoice.status == "overdue":
            overdue.append(invoice)
    account.balance = balance.quantize(Decimal("0.01"))
    account.due_date = bills[-1].invoice.due_date
    account.debt_amount = sum((invoice.total for invoice in overdue), Decimal(0))
    account.days_past_due = (today - overdue[0].due_date).days if overdue else 0
    account.status = "delinquent" if overdue else "active"
    return sum(bill.paid_at is not None for bill in bills)


def seed_customers(
    session: Session,
    count: int,
    *,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedSummary:
    """Create ``count`` customers with accounts and six months of invoices and payments.

    ``progress`` is called with 1 after each customer is written.
    """
    rng = random.Random(seed)
    today = today or datetime.now(UTC).date()
    offset = session.scalar(select(func.count(Customer.id))) or 0
    used_phones = set(session.scalars(select(Customer.phone)))
    accounts = invoices = payments = 0
    for index in range(offset, offset + count):
        country = rng.choices(("CO", "MX", "US"), weights=(60, 20, 20))[0]
        language = "en" if country == "US" and rng.random() < 0.75 else "es"
        first, last = (FIRST_EN, LAST_EN) if language == "en" else (FIRST_ES, LAST_ES)
        name = f"{rng.choice(first)} {rng.choice(last)}"
        if language == "es":
            name += f" {rng.choice(LAST_ES)}"
        phone = _phone(rng, country)
        while phone in used_phones:
            phone = _phone(rng, country)
        used_phones.add(phone)
        national_id, id_type = _national_id(rng, country)
        city = rng.choice({"CO": CITIES_CO, "MX": CITIES_MX, "US": CITIES_US}[country])
        segment = rng.choices(("standard", "premium", "vip"), weights=(70, 22, 8))[0]
        customer = Customer(
            name=name,
            phone=phone,
            national_id=national_id,
            national_id_type=id_type,
            birth_year=rng.randint(1950, 2004),
            preferred_language=language,
            segment=segment,
            city=city,
            email=f"{name.split()[0].lower()}.{index}@example.com",
        )
        session.add(customer)
        currency = {"CO": "COP", "MX": "MXN", "US": "USD"}[country]
        for account_index in range(1 if rng.random() < 0.85 else 2):
            plan, charge = rng.choice(PLANS[currency])
            delinquent = rng.random() < 0.18
            account = Account(
                customer=customer,
                number=f"{index + 1:06d}{account_index}{rng.randint(100, 999)}",
                # Eleven digits: never mistaken for a ten-digit account number or a cédula.
                contract_number=f"80{index + 1:08d}{account_index}",
                plan=plan,
                monthly_charge=Decimal(charge),
                currency=currency,
                opened_on=today - timedelta(days=rng.randint(200, 3000)),
            )
            session.add(account)
            accounts += 1
            bills: list[_Bill] = []
            for months_ago in range(6, 0, -1):
                # Whole calendar months back from this one (30-day steps skip or repeat one).
                month = today.year * 12 + today.month - 1 - months_ago
                start = date(month // 12, month % 12 + 1, 1)
                end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                lang_items = ITEMS[language]
                extra = rng.random() < 0.25
                lines = [{"description": lang_items[0], "amount": str(charge)}]
                if extra:
                    extra_amount = _money(charge * rng.uniform(0.05, 0.4))
                    lines.append(
                        {"description": rng.choice(lang_items[2:5]), "amount": str(extra_amount)}
                    )
                subtotal = sum(Decimal(line["amount"]) for line in lines)
                tax = _money(
                    float(subtotal)
                    * (0.19 if currency == "COP" else 0.16 if currency == "MXN" else 0.07)
                )
                lines.append({"description": lang_items[1], "amount": str(tax)})
                invoice = Invoice(
                    account=account,
                    number=f"F{account.number}{start:%y%m}",
                    period_start=start,
                    period_end=end,
                    issued_on=end + timedelta(days=1),
                    due_date=end + timedelta(days=15),
                    total=subtotal + tax,
                    items=lines,
                )
                session.add(invoice)
                invoices += 1
                # An account in arrears leaves its latest bills unpaid.
                if delinquent and months_ago <= rng.randint(1, 3):
                    bills.append(_Bill(invoice))
                    continue
                # Paid 2-14 days after the period; a payment day still to come is a bill the
                # customer has not paid yet (it is not due before the 15th).
                paid_on = end + timedelta(days=rng.randint(2, 14))
                at = (rng.randint(7, 21), rng.randint(0, 59))
                method = rng.choice(("card", "cash", "transfer", "pse"))
                paid_at = datetime(paid_on.year, paid_on.month, paid_on.day, *at, tzinfo=UTC)
                bills.append(_Bill(invoice, paid_at if paid_on < today else None, method))
            # Drawn and dropped (they were a random due date and days past due): the same seed
            # keeps writing the same people, numbers and plans.
            rng.randint(1, 20)
            if delinquent:
                rng.randint(15, 180)
                _leave_latest_past_due_unpaid(bills, today)
            payments += _settle(session, account, bills, today)
        session.flush()  # customer by customer, so the progress shown is the work done
        if progress is not None:
            progress(1)
    return SeedSummary(count, accounts, invoices, payments)


def add_two_bills(session: Session, account: Account, language: str, tag: str) -> Decimal:
    """Give ``account`` a paid October bill and a higher open November one (long-distance calls
    on top of the plan), as scripted conversations about a bill expect; return the plan charge.
    """
    spanish = language == "es"
    base = Decimal("89900") if spanish else Decimal("55")
    extra = Decimal("17100") if spanish else Decimal("9")
    plan = "Cargo fijo mensual" if spanish else "Monthly plan"
    calls = "Llamadas a larga distancia" if spanish else "Long-distance calls"
    session.add_all(
        [
            Invoice(
                account=account,
                number=f"F{tag}10",
                period_start=date(2026, 10, 1),
                period_end=date(2026, 10, 31),
                issued_on=date(2026, 11, 1),
                due_date=date(2026, 11, 15),
                total=base,
                status="paid",
                items=[{"description": plan, "amount": str(base)}],
            ),
            Invoice(
                account=account,
                number=f"F{tag}11",
                period_start=date(2026, 11, 1),
                period_end=date(2026, 11, 30),
                issued_on=date(2026, 12, 1),
                due_date=date(2026, 12, 15),
                total=base + extra,
                status="open",
                items=[
                    {"description": plan, "amount": str(base)},
                    {"description": calls, "amount": str(extra)},
                ],
            ),
        ]
    )
    return base
