from django.utils.safestring import mark_safe

from motcua.core.panels import Panels


def test_panels_show_in_order_and_escape_what_is_not_marked_safe():
    slots = Panels()

    @slots.register("page", order=20)
    def second(request, obj):
        return f"<b>{obj}</b>"  # not marked safe: shown as text

    @slots.register("page", order=10)
    def first(request, obj):
        return mark_safe("<p>first</p>")

    @slots.register("page", order=30)
    def nothing(request, obj):
        return ""

    assert slots.render("page", None, "x") == "<p>first</p>&lt;b&gt;x&lt;/b&gt;"
    assert slots.render("other", None, "x") == ""
