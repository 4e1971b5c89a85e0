"""Template helpers of the shared form rendering (``web/_form_errors.html``, ``web/_field.html``; issue 14)."""

from __future__ import annotations

from django import forms, template

from casework.core.forms import error_items

register = template.Library()


@register.filter
def summary_items(form):
    """The error summary's lines for ``form`` (empty for no form or a form without errors)."""
    if form is None or not getattr(form, "is_bound", False) or not form.errors:
        return []
    return error_items(form)


@register.filter
def widget_kind(field) -> str:
    """How ``web/_field.html`` lays a field out: ``checkbox`` (label after the box), ``choices`` (a fieldset of radios
    or check boxes under a legend), ``hidden`` or ``input``."""
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.filter
def with_aria(field):
    """The field's widget with ``aria-invalid`` and ``aria-describedby`` (its hint and its inline error)."""
    attrs = {}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


class RefillNode(template.Node):
    def __init__(self, nodelist, form, url):
        self.nodelist, self.form, self.url = nodelist, form, url

    def render(self, context):
        from django.utils.safestring import mark_safe

        from casework.core.forms import refill_html

        html = self.nodelist.render(context)
        form = self.form.resolve(context)
        if form is None or not getattr(form, "is_bound", False):
            return html
        return mark_safe(refill_html(html, form, self.url.resolve(context) or ""))  # noqa: S308 - our own markup


@register.tag
def refill(parser, token):
    """``{% refill form action_url %}…{% endrefill %}``: after a refusal, the posted ``<form>`` among the enclosed
    markup holds what was typed and shows its errors (``core.forms.refill_html``)."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("{% refill form action_url %}")
    nodelist = parser.parse(("endrefill",))
    parser.delete_first_token()
    return RefillNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))
