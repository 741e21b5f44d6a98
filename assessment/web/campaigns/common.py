"""What the campaign views share: the campaign of a URL, today's date in Cixi, where uploads wait."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import abort, current_app

from assessment.services import campaigns
from assessment.services.models import Campaign
from assessment.services.pending_redis import RedisUploads
from assessment.services.pending_uploads import Folder
from assessment.web.extensions import db
from assessment.web.shared_state import redis_client

# Files up to this size can be imported (10,000 rows of a full list take about 1 MB as .xlsx).
DEFAULT_IMPORT_MAX_BYTES = 5 * 1024 * 1024


def campaign_or_404(public_id: str) -> Campaign:
    """The campaign of the URL (demo campaigns only in demo mode), else 404."""
    campaign = campaigns.by_public_id(db.session, public_id, current_app.config["DEMO_MODE"])
    if campaign is None:
        abort(404)
    return campaign


def today() -> date:
    """Today in Cixi (a campaign's dates are Beijing dates)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return datetime.now(zone).date()


def import_store() -> Folder | RedisUploads:
    """Where uploaded target lists wait between their preview and their commit: in Redis when
    `REDIS_URL` is set (any app node finds them), else in a folder of the instance."""
    folder = Folder(Path(current_app.instance_path) / "campaign_imports")
    client = redis_client(current_app)
    return folder if client is None else RedisUploads(client, folder)


def import_max_bytes() -> int:
    """The largest target list accepted (setting CAMPAIGN_IMPORT_MAX_BYTES)."""
    return int(current_app.config.get("CAMPAIGN_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))
