from conftest import body_line, rule_hits

RULE = "detach-partition-not-concurrent"

MEASUREMENTS = '''
op.execute("CREATE TABLE measurements (id bigint NOT NULL, taken_on date NOT NULL) PARTITION BY RANGE (taken_on)")
op.execute("CREATE TABLE measurements_2020 PARTITION OF measurements FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')")
'''


def _findings(report):
    return [f for f in report.findings if f.rule == RULE]


def test_detach_partition(review_history):
    body = 'op.execute("ALTER TABLE measurements DETACH PARTITION measurements_2020")'
    report = review_history(MEASUREMENTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert finding.severity == "warning"
    assert "ACCESS EXCLUSIVE lock on measurements and on the partition" in finding.message
    assert "CONCURRENTLY" in finding.fix and "autocommit_block" in finding.fix


def test_detach_partition_in_autocommit_block_still_locks(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("ALTER TABLE measurements DETACH PARTITION measurements_2020")
'''
    report = review_history(MEASUREMENTS, body)
    assert rule_hits(report, RULE) == [("r2", body_line(body, "DETACH"))]


def test_detach_partition_concurrently_is_fine(review_history):
    body = '''
with op.get_context().autocommit_block():
    op.execute("ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY")
op.execute("ALTER TABLE measurements DETACH PARTITION measurements_2020 FINALIZE")
'''
    report = review_history(MEASUREMENTS, body)
    assert rule_hits(report, RULE) == []


def test_attach_partition_is_not_a_detach(review_history):
    body = ('op.execute("ALTER TABLE measurements ATTACH PARTITION measurements_2020 '
            'FOR VALUES FROM (\'2020-01-01\') TO (\'2021-01-01\')")')
    report = review_history(MEASUREMENTS, body)
    assert rule_hits(report, RULE) == []


def test_partitioned_table_created_in_same_revision_is_fine(review_history):
    body = MEASUREMENTS + '\nop.execute("ALTER TABLE measurements DETACH PARTITION measurements_2020")'
    report = review_history(body)
    assert rule_hits(report, RULE) == []


def test_unknown_partitioned_table_is_an_existing_table(review_history):
    body = 'op.execute("ALTER TABLE events DETACH PARTITION events_2019")'
    report = review_history(body)
    assert rule_hits(report, RULE) == [("r1", body_line(body, "op.execute"))]


def test_before_postgresql_14_still_reported_with_lock_timeout_fix(review_history):
    body = 'op.execute("ALTER TABLE measurements DETACH PARTITION measurements_2020")'
    report = review_history(MEASUREMENTS, body, pg_version="13")
    assert rule_hits(report, RULE) == [("r2", body_line(body, "op.execute"))]
    [finding] = _findings(report)
    assert "PostgreSQL 13 has no DETACH CONCURRENTLY" in finding.message
    assert "lock_timeout" in finding.fix
