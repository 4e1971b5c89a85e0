import pytest

from casework.contacts.models import Contact, ContactStatus
from casework.letters.models import Letter


@pytest.fixture
def web_demo(reference):
    from casework.web import demo

    demo.seed()
    return demo


def test_contacts_demo_is_idempotent(web_demo):
    from casework.contacts import demo

    demo.seed()
    demo.seed()
    assert Contact.objects.filter(status=ContactStatus.FINALISED).count() == 1
    assert Letter.objects.filter(template_code="mx1_1_request_contact").count() == 1
