"""Upgrading a database that holds data keeps every row (SQLite rebuilds tables to change them)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from assessment.services.database import create_engine_for
from assessment.services.migrate import upgrade
from assessment.services.models import DimensionScore, IndicatorTotal, QuestionScore

from .conftest import TEST_DATABASE_URL

ROWS = [
    "INSERT INTO enterprise (id, public_id, uscc, name, town, industry, employees, revenue_wan,"
    " size_class, contact_name, contact_phone, is_demo, created_at) VALUES (1, 'e1',"
    " '91330282MA2AB00112', '慈溪市测试电器有限公司', 'zhouxiang', 'appliances', 50, 800, 'small',"
    " '', '', false, '2025-06-01 08:00:00')",
    "INSERT INTO assessment (id, public_id, enterprise_id, questionnaire_id, questionnaire_version,"
    " status, answers, current_page, lock_version, total, stage, result, industry, town,"
    " size_class, is_demo, is_latest, created_at, updated_at, submitted_at) VALUES (1, 'a1', 1,"
    " 'lianghua', '2025.1', 'submitted', '{}', 0, 1, 55.5, 'coverage', NULL, 'appliances',"
    " 'zhouxiang', 'small', false, true, '2025-06-01 08:00:00', '2025-06-02 08:00:00',"
    " '2025-06-02 08:00:00')",
    "INSERT INTO dimension_score (assessment_id, dimension_id, score) VALUES (1, 'foundation', 60)",
    "INSERT INTO question_score (assessment_id, question_id, points, max_points)"
    " VALUES (1, 'f_network', 4, 8)",
]


@pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="SQLite rebuilds tables; PostgreSQL alters them"
)
def test_upgrading_a_populated_database_from_0002_keeps_the_score_rows(tmp_path):
    # The app's own engine (foreign keys on for every connection), as `flask init-db` uses.
    engine = create_engine_for(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0002")
    with engine.begin() as connection:
        for row in ROWS:
            connection.execute(text(row))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DimensionScore)) == 1
        assert connection.scalar(select(func.count()).select_from(QuestionScore)) == 1
        assert connection.scalar(select(func.count()).select_from(IndicatorTotal)) > 0
    engine.dispose()
