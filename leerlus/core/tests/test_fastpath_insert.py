# SPDX-License-Identifier: EUPL-1.2
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import isolate_apps
from django.utils import timezone

from leerlus.core.fastpath import newrows
from leerlus.feedback.models import Feedback
from leerlus.organisations.models import AuditEntry, Organisation, User

pytestmark = pytest.mark.django_db


def _signal(organisation: Organisation, user: User, n: int) -> Feedback:
    return Feedback(
        organisation=organisation,
        reference=f"LL-TEST-{n:05d}",
        fingerprint=f"{n:032x}",
        channel="phone",
        text="De lantaarnpaal is kapot [BSN]",
        language="nl",
        received_at=datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
        rating=4,
        confidential=True,
        source="kcc",
        redactions={"BSN": 1},
        created_by=user,
    )


def _entry(organisation: Organisation, user: User) -> AuditEntry:
    return AuditEntry(
        organisation=organisation,
        actor=user,
        actor_label=user.username,
        action="feedback.create",
        object_type="feedback.feedback",
        object_id="17",
        result=AuditEntry.Result.SUCCESS,
        origin="192.0.2.7",
        details={"channel": "phone", "redacted": 1},
    )


def _stored(obj: models.Model, *apart: str) -> dict[str, Any]:
    row = type(obj)._base_manager.filter(pk=obj.pk).values().get()
    return {k: v for k, v in row.items() if k not in {"id", *apart}}


@pytest.mark.parametrize(
    ("build", "auto_time"),
    [
        (lambda organisation, user, n: _signal(organisation, user, n), "created_at"),
        (lambda organisation, user, n: _entry(organisation, user), "occurred_at"),
    ],
)
def test_insert_stores_what_save_stores(organisation, analyst, build, auto_time):
    saved = build(organisation, analyst, 1)
    saved.save()
    before = timezone.now()
    inserted = build(organisation, analyst, 2)

    newrows.insert(inserted)

    assert inserted.pk is not None
    assert inserted.pk != saved.pk
    assert inserted._state.adding is False
    assert inserted._state.db == "default"
    stored, expected = _stored(inserted, auto_time), _stored(saved, auto_time)
    if isinstance(inserted, Feedback):  # unique per signal
        assert stored.pop("reference") != expected.pop("reference")
        assert stored.pop("fingerprint") != expected.pop("fingerprint")
    assert stored == expected
    # auto_now_add: set on the object and stored as it is there
    assert getattr(inserted, auto_time) >= before
    assert _stored(inserted)[auto_time] == getattr(inserted, auto_time)


def test_an_inserted_row_is_saved_again_with_an_update(organisation, analyst):
    signal = _signal(organisation, analyst, 1)
    newrows.insert(signal)

    signal.text = "Opgelost"
    signal.save()

    assert Feedback.objects.get().text == "Opgelost"


def test_insert_sends_the_save_signals(organisation, analyst):
    seen: list[tuple[str, bool | None]] = []

    def pre(sender: type, instance: Feedback, **kwargs: Any) -> None:
        seen.append(("pre", instance.pk is None))

    def post(sender: type, instance: Feedback, created: bool, **kwargs: Any) -> None:
        seen.append(("post", created and instance.pk is not None))

    pre_save.connect(pre, sender=Feedback)
    post_save.connect(post, sender=Feedback)
    try:
        newrows.insert(_signal(organisation, analyst, 1))
    finally:
        pre_save.disconnect(pre, sender=Feedback)
        post_save.disconnect(post, sender=Feedback)

    assert seen == [("pre", True), ("post", True)]


def test_a_failed_insert_marks_the_transaction_for_rollback(organisation, analyst):
    newrows.insert(_signal(organisation, analyst, 1))

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            newrows.insert(_signal(organisation, analyst, 1))
        assert connection.needs_rollback

    assert Feedback.objects.count() == 1


def test_insert_refuses_what_save_would_not_store_as_given(organisation, analyst):
    stored = _signal(organisation, analyst, 1)
    newrows.insert(stored)
    unsaved_user = User(username="nobody", organisation=organisation)
    expression = _signal(organisation, analyst, 2)
    expression.rating = models.Value(3)

    with pytest.raises(ValueError, match="new Feedback rows only"):
        newrows.insert(stored)
    with pytest.raises(ValueError, match="unsaved related object"):
        newrows.insert(_signal(organisation, unsaved_user, 3))
    with pytest.raises(TypeError, match="plain values"):
        newrows.insert(expression)
    assert Feedback.objects.count() == 1


@isolate_apps("leerlus.core")
def test_insert_and_copy_refuse_columns_the_database_fills():
    """One answer to "which columns does a new row get" for both shortcuts."""

    class Counter(models.Model):
        name = models.CharField(max_length=10)
        count = models.IntegerField(db_default=0)
        doubled = models.GeneratedField(
            expression=models.F("count") * 2, output_field=models.IntegerField(), db_persist=True
        )

        def __str__(self) -> str:
            return self.name

    refused = r"cannot store new core\.Counter rows directly \['count', 'doubled'\]"
    with pytest.raises(TypeError, match=refused):
        newrows.insert(Counter(name="x"))
    with pytest.raises(TypeError, match=refused):
        newrows.copy_insert([Counter(name="x")], connection=connection)
