import pytest


@pytest.fixture
def org_reference(db):
    """Only the organisation reference data (areas, issue types): what the web app and its demo data need."""
    from casework.core.context import job_context
    from casework.org import reference

    with job_context("load_reference"):
        reference.load(actor=None)


@pytest.fixture
def seeded(org_reference):
    from casework.web import demo

    demo.seed()
