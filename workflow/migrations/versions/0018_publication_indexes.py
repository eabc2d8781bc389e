"""the public /decisions page reads a page down indexes on the publication day (issue 9)

The page lists a council's published decision notices (``resolutions.notice_published_on``)
and officer records (``sign_offs.record_published_on``) newest first, ordered by day, case
and row. With no index on either day, every page sorted every published row of the council.
Each index holds the page's whole order, so each half of the union reads its first rows
backwards down it and a Merge Append joins the halves (``workflow.documents.public``).

PostgreSQL 15, 100,000 cases (bench.population.fill): 75,000 notices and 65,000 records
published, page 1 of 50 (EXPLAIN ANALYZE, costs off):

before (0017)::

    Limit (actual time=768.726..784.314 rows=50 loops=1)
      ->  Gather Merge
            ->  Sort  Sort Key: notice_published_on DESC, case_id DESC, kind, id DESC
                  Sort Method: top-N heapsort
                  ->  Parallel Append (rows=46667 loops=3)
                        ->  Hash Join ... HashAggregate ... Seq Scan on resolutions
                        ->  Parallel Hash Join ... Parallel Seq Scan on sign_offs
    Execution Time: 788.640 ms

after (0018)::

    Limit (actual time=0.659..0.925 rows=50 loops=1)
      ->  Incremental Sort  Presorted Key: notice_published_on, case_id
            ->  Merge Append (rows=51)
                  ->  Limit -> Nested Loop -> Nested Loop Anti Join
                        ->  Index Scan Backward using ix_resolutions_notice_published_on
                        ->  Index Scan using ix_resolutions_case_id on resolutions later
                  ->  Limit -> Nested Loop
                        ->  Index Scan Backward using ix_sign_offs_record_published_on
    Execution Time: 1.093 ms

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 07:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_resolutions_notice_published_on",
        "resolutions",
        ["notice_published_on", "case_id", "id"],
    )
    op.create_index(
        "ix_sign_offs_record_published_on",
        "sign_offs",
        ["record_published_on", "case_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_sign_offs_record_published_on", table_name="sign_offs")
    op.drop_index("ix_resolutions_notice_published_on", table_name="resolutions")
