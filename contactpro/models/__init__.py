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
from contactpro.models.improve import (
    AppliedPart,
    CaseVector,
    DatasetConversation,
    ImproveRun,
    Proposal,
)
from contactpro.models.interactions import Interaction, Turn
from contactpro.models.messaging import MessageMedia, OutboundMessage
from contactpro.models.security import ConsoleSession, LoginAttempt
from contactpro.models.voice import Recording, VoiceJob

__all__ = [
    "Account",
    "Alert",
    "Agent",
    "AnalysisRun",
    "AppliedPart",
    "AuditLog",
    "Base",
    "CancellationRequest",
    "CaseVector",
    "Callback",
    "ConfigEntry",
    "ConsoleSession",
    "Customer",
    "DatasetConversation",
    "CustomerScore",
    "Escalation",
    "ImproveRun",
    "Interaction",
    "InteractionScore",
    "Invoice",
    "LoginAttempt",
    "MessageMedia",
    "OutboundMessage",
    "Payment",
    "PaymentAgreement",
    "Proposal",
    "ServiceOutage",
    "SurveyResponse",
    "Recording",
    "Turn",
    "VoiceJob",
    "utcnow",
]
