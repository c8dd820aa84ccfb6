"""SQLAlchemy 2.0 models of ContactPro; Alembic migrations in ``contactpro/migrations``."""

from contactpro.models.alerts import Alert
from contactpro.models.analytics import AnalysisRun, CustomerScore, InteractionScore
from contactpro.models.base import Base, utcnow
from contactpro.models.console import AuditLog, Callback, ConfigEntry
from contactpro.models.customers import Account, Customer, Invoice, Payment
from contactpro.models.dialog import (
    CancellationRequest,
    PaymentAgreement,
    ServiceOutage,
    SurveyResponse,
)
from contactpro.models.escalations import Agent, Escalation
from contactpro.models.interactions import Interaction, Turn
from contactpro.models.messaging import MessageMedia, OutboundMessage
from contactpro.models.voice import Recording, VoiceJob

__all__ = [
    "Account",
    "Alert",
    "Agent",
    "AnalysisRun",
    "AuditLog",
    "Base",
    "CancellationRequest",
    "Callback",
    "ConfigEntry",
    "Customer",
    "CustomerScore",
    "Escalation",
    "Interaction",
    "InteractionScore",
    "Invoice",
    "MessageMedia",
    "OutboundMessage",
    "Payment",
    "PaymentAgreement",
    "ServiceOutage",
    "SurveyResponse",
    "Recording",
    "Turn",
    "VoiceJob",
    "utcnow",
]
