"""Database models (SQLAlchemy 2, typed), one module per area. Timestamps are naive UTC.

Every model is importable from here (`from assessment.services.models import Assessment`), and
importing the package registers every table on `Base.metadata` (what Alembic compares against).
"""

from assessment.services.models.access import Invitation, ProviderGrant, RecoveryCode
from assessment.services.models.aggregates import (
    LatestPoint,
    LatestValue,
    StoredFigures,
    SubmissionMonth,
)
from assessment.services.models.api import ApiToken, IdempotentRequest
from assessment.services.models.assessment import (
    Assessment,
    DimensionScore,
    IndicatorTotal,
    QuestionScore,
)
from assessment.services.models.base import NAMING_CONVENTION, Base, JsonType, new_public_id, utcnow
from assessment.services.models.campaign import Campaign, CampaignReminder, CampaignTarget
from assessment.services.models.enterprise import Enterprise, User
from assessment.services.models.histogram import ScoreBin, ScoreCount, StageCount
from assessment.services.models.jobs import Job, JobFileChunk
from assessment.services.models.system import AppState, AuditEvent

__all__ = [
    "NAMING_CONVENTION",
    "ApiToken",
    "AppState",
    "Assessment",
    "AuditEvent",
    "Base",
    "Campaign",
    "CampaignReminder",
    "CampaignTarget",
    "DimensionScore",
    "Enterprise",
    "IdempotentRequest",
    "IndicatorTotal",
    "Invitation",
    "Job",
    "JobFileChunk",
    "JsonType",
    "LatestPoint",
    "LatestValue",
    "ProviderGrant",
    "QuestionScore",
    "RecoveryCode",
    "ScoreBin",
    "ScoreCount",
    "StageCount",
    "StoredFigures",
    "SubmissionMonth",
    "User",
    "new_public_id",
    "utcnow",
]
