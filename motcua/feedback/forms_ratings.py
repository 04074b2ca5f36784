"""The applicant's rating form: one question per criterion of D61 art.31(1)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import AccessibleFormMixin
from motcua.feedback.ratings import COMMENT_MAX, CRITERIA, FIELDS

NOT_APPLICABLE = "na"


class RatingForm(AccessibleFormMixin, forms.Form):
    """Answers are "2", "1", "0" (TT01's points) or "na" where the criterion may not apply."""

    comment = forms.CharField(
        label=_("Ý kiến khác của quý vị (không bắt buộc)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, rating=None, **kwargs):
        if rating is not None and "initial" not in kwargs:
            initial = {
                f: NOT_APPLICABLE if getattr(rating, f) is None else str(getattr(rating, f))
                for f in FIELDS
            }
            kwargs["initial"] = {**initial, "comment": rating.comment}
        kwargs.setdefault("auto_id", "rating-%s")
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for criterion in CRITERIA:
            choices = [(str(2 - i), label) for i, label in enumerate(criterion.answers)]
            if criterion.may_not_apply:
                choices.append((NOT_APPLICABLE, _("Không áp dụng, không có ý kiến")))
            self.fields[criterion.field] = forms.ChoiceField(
                label=criterion.question,
                choices=choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Chọn một câu trả lời cho câu hỏi này.")},
            )
        self.fields["comment"] = comment
        comment.widget.attrs["class"] = "form-control"

    def error_links(self) -> list[tuple[str, str]]:
        """The summary names each unanswered question (beside it, the message suffices)."""
        links = super().error_links()
        labels = {f"rating-{name}_0": field.label for name, field in self.fields.items()}
        return [
            (anchor, f"{labels[anchor]}: {message}" if anchor in labels else message)
            for anchor, message in links
        ]

    def scores(self) -> dict:
        return {
            f: None if self.cleaned_data[f] == NOT_APPLICABLE else int(self.cleaned_data[f])
            for f in FIELDS
        }
