"""Customers and their billing: accounts, invoices, payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpro.models.base import Base, JSONType, utcnow

SEGMENTS = ("standard", "premium", "vip")
ACCOUNT_STATUSES = ("active", "delinquent", "suspended", "cancelled")


class Customer(Base):
    """A person or business the company serves."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), unique=True, comment="E.164")
    national_id: Mapped[str | None] = mapped_column(String(20), index=True)
    national_id_type: Mapped[str | None] = mapped_column(String(8), comment="CC, CE, CURP, SSN")
    birth_year: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(String(120))
    preferred_language: Mapped[str] = mapped_column(String(2), default="es")
    segment: Mapped[str] = mapped_column(String(16), default="standard", index=True)
    city: Mapped[str | None] = mapped_column(String(60))
    timezone: Mapped[str | None] = mapped_column(
        String(40), comment="IANA zone; empty: the company's"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    accounts: Mapped[list[Account]] = relationship(back_populates="customer", order_by="Account.id")

    @property
    def first_name(self) -> str:
        """Return the first word of the name, for greetings."""
        return self.name.split()[0] if self.name else ""


class Account(Base):
    """A service contract: plan, charges, balance, debt and any retention offer."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20), unique=True)
    contract_number: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    plan: Mapped[str] = mapped_column(String(60))
    monthly_charge: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="COP")
    balance: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    due_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    opened_on: Mapped[date | None]
    days_past_due: Mapped[int] = mapped_column(default=0)
    debt_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    offer_code: Mapped[str | None] = mapped_column(String(40))
    offer_expires_on: Mapped[date | None]

    customer: Mapped[Customer] = relationship(back_populates="accounts")
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="account", order_by="Invoice.period_start"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="account", order_by="Payment.paid_at"
    )

    __table_args__ = (Index("ix_accounts_customer_id", "customer_id"),)


class Invoice(Base):
    """A monthly bill with its line items."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(24), unique=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    issued_on: Mapped[date]
    due_date: Mapped[date]
    total: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(12), default="open", comment="open, paid, overdue")
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)

    account: Mapped[Account] = relationship(back_populates="invoices")

    __table_args__ = (Index("ix_invoices_account_period", "account_id", "period_start"),)


class Payment(Base):
    """Money received against an account."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    amount: Mapped[Decimal]
    paid_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(20), comment="card, cash, transfer, pse")
    reference: Mapped[str] = mapped_column(String(40), unique=True)

    account: Mapped[Account] = relationship(back_populates="payments")
    invoice: Mapped[Invoice | None] = relationship()

    __table_args__ = (Index("ix_payments_account_paid_at", "account_id", "paid_at"),)
