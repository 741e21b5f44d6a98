"""The closed sets of identifiers that the database stores and every layer compares."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What an account may do (stored in `user_account.role`)."""

    ENTERPRISE = "enterprise"
    BUREAU = "bureau"
    ADMIN = "admin"
    # A 数字化服务商: fills and views only for the enterprises that granted it access.
    PROVIDER = "provider"
    # A 镇街 经发办 officer: the bureau's views, limited to the towns in `user_account.towns`.
    TOWN_OFFICER = "town_officer"

    @property
    def is_staff(self) -> bool:
        """Bureau and admin accounts read every enterprise's data."""
        return self in (Role.BUREAU, Role.ADMIN)

    @property
    def reads_enterprises_answers(self) -> bool:
        """Accounts that read enterprises' answers other than their own (the bureau, admins, town
        officers): where a deployment requires two-step verification, they must use it."""
        return self.is_staff or self is Role.TOWN_OFFICER


class Membership(StrEnum):
    """An enterprise user's place in the enterprise (stored in `user_account.membership`)."""

    OWNER = "owner"
    MEMBER = "member"


class Status(StrEnum):
    """Where an assessment is in its life (stored in `assessment.status`)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Review(StrEnum):
    """Where a campaign submission is in the bureau's review (stored in `assessment.review_status`)."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"


class JobStatus(StrEnum):
    """Where a background job is (stored in `job.status`)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
