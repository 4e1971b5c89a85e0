"""docs/approvals.md lists every kind from the registry: who asks, who decides, what takes effect, the steps."""

from casework.approvals import docs_table, kinds, policy


def test_the_kinds_table_in_docs_matches_the_registry():
    assert docs_table.current() == docs_table.render(), "run: manage.py approvals_table --write"


def test_every_kind_the_procedures_need_is_registered():
    missing = sorted(set(policy.KINDS) - set(kinds.REGISTRY))
    assert not missing, f"kinds not registered by any app: {missing}"
