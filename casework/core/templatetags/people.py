"""``{{ someone|officer_name }}``: an officer or user as "Ana Ruiz (Service Officer, Parramatta)" (core/people.py)."""

from django import template

from casework.core.people import person_label

register = template.Library()


@register.filter
def officer_name(who) -> str:
    return person_label(who)
