# SPDX-License-Identifier: EUPL-1.2
from typing import Any


class AccessibleFormMixin:
    """Connects every widget to its help and error texts (aria-describedby, aria-invalid).

    The ids match those rendered by ``includes/field.html``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe_fields()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._describe_fields()

    def _describe_fields(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            bound = self[name]  # type: ignore[index]
            # Radio and checkbox lists have no single labelled input: use the field's own id.
            field_id = bound.id_for_label or bound.auto_id
            described_by = []
            if field.help_text:
                described_by.append(f"{field_id}-help")
            if name in errors:
                described_by.append(f"{field_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)
            else:
                field.widget.attrs.pop("aria-describedby", None)
