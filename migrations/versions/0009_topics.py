"""Topics become a managed list (issue 21): a `topics` table seeded with the policy-communication
topics, and commissions point at one by `topic_code` beside the text they carry.

Revision ID: 0009_topics
Revises: 0008_paperwork
Create Date: 2026-12-02 17:50:00

A commission keeps its `topic` text as typed (the API still accepts free text); a text that equals a
seeded topic's name (compared case-insensitively, in NFC) points at that topic, any other text at
"khac" (Khác), whose texts the reports list under it.
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0009_topics'
down_revision = '0008_paperwork'
branch_labels = None
depends_on = None

# the seeded list, frozen as of this revision (admins add, rename and deactivate topics afterwards)
TOPICS = (
    ("chuyen_doi_so", "Chuyển đổi số"),
    ("cai_cach_hanh_chinh", "Cải cách hành chính"),
    ("pho_bien_phap_luat", "Phổ biến, giáo dục pháp luật"),
    ("kinh_te_xa_hoi", "Phát triển kinh tế - xã hội"),
    ("quoc_phong_an_ninh", "Quốc phòng, an ninh"),
    ("xay_dung_dang", "Xây dựng Đảng, hệ thống chính trị"),
    ("van_hoa_du_lich", "Văn hóa, du lịch"),
    ("y_te_giao_duc", "Y tế, giáo dục"),
    ("nong_nghiep_moi_truong", "Nông nghiệp, môi trường"),
    ("khac", "Khác"),
)
OTHER = "khac"


def _key(text):  # the rule of commissions.topics.topic_key, frozen as of this revision
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def upgrade():
    op.create_table(
        'topics',
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_topics')),
        sa.UniqueConstraint('name', name=op.f('uq_topics_name')),
    )
    topics = sa.table("topics", sa.column("code", sa.String), sa.column("name", sa.String),
                      sa.column("active", sa.Boolean), sa.column("position", sa.Integer))
    op.bulk_insert(topics, [{"code": code, "name": name, "active": True, "position": (i + 1) * 10}
                            for i, (code, name) in enumerate(TOPICS)])
    with op.batch_alter_table('commissions') as batch:
        batch.add_column(sa.Column('topic_code', sa.String(length=40), nullable=True))
        batch.create_index(batch.f('ix_commissions_topic_code'), ['topic_code'], unique=False)
        batch.create_foreign_key(batch.f('fk_commissions_topic_code_topics'), 'topics', ['topic_code'], ['code'])

    map_existing_topics(op.get_bind())


def map_existing_topics(connection):
    """Each commission's topic text points at the seeded topic it names, any other text at Khác."""
    by_name = {_key(name): code for code, name in TOPICS}
    commissions = sa.table("commissions", sa.column("topic", sa.String), sa.column("topic_code", sa.String))
    texts = connection.execute(sa.select(commissions.c.topic).distinct()).scalars().all()
    for text in texts:
        code = by_name.get(_key(text), OTHER)
        connection.execute(commissions.update().where(commissions.c.topic == text).values(topic_code=code))


def downgrade():
    with op.batch_alter_table('commissions') as batch:
        batch.drop_constraint(batch.f('fk_commissions_topic_code_topics'), type_='foreignkey')
        batch.drop_index(batch.f('ix_commissions_topic_code'))
        batch.drop_column('topic_code')
    op.drop_table('topics')
