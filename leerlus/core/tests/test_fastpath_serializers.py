# SPDX-License-Identifier: EUPL-1.2
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from rest_framework import serializers

from leerlus.core.fastpath.serializers import SharedFieldsSerializer


class Address(serializers.Serializer[Any]):
    street = serializers.CharField(max_length=20)
    number = serializers.IntegerField(min_value=1)


class Person(SharedFieldsSerializer[Any]):
    name = serializers.CharField(max_length=10)
    age = serializers.IntegerField(min_value=0, required=False, default=0)
    email = serializers.EmailField(required=False, default="")
    address = Address(required=False)

    def validate_name(self, value: str) -> str:
        if value in self.context["refused"]:
            raise serializers.ValidationError("Refused here.")
        return value


def _validate(data: object, refused: tuple[str, ...] = ()) -> tuple[bool, Any, Any]:
    serializer = Person(data=data, context={"refused": refused})
    valid = serializer.is_valid()
    return valid, serializer.validated_data, serializer.errors


def test_instances_share_one_set_of_fields():
    first: Any = Person().fields
    second: Any = Person().fields

    assert first is second
    assert first["address"].fields is second["address"].fields


def test_instances_validate_different_input_one_after_another():
    first = _validate({"name": "Anna", "age": 31, "address": {"street": "Markt", "number": 1}})
    second = _validate({"name": "far too long a name", "age": -1, "email": "x"})
    third = _validate({"name": "Bram"})

    assert first == (
        True,
        {"name": "Anna", "age": 31, "email": "", "address": {"street": "Markt", "number": 1}},
        {},
    )
    valid, data, errors = second
    assert not valid
    assert data == {}
    assert set(errors) == {"name", "age", "email"}
    assert third == (True, {"name": "Bram", "age": 0, "email": ""}, {})


def test_each_instance_validates_with_its_own_context():
    refused = _validate({"name": "Anna"}, refused=("Anna",))
    accepted = _validate({"name": "Anna"}, refused=("Bram",))

    assert refused[2] == {"name": ["Refused here."]}
    assert accepted[0]


def test_nested_errors_and_lists_of_items():
    class Group(serializers.Serializer[Any]):
        people = Person(many=True)

    group = Group(
        data={"people": [{"name": "Anna"}, {"name": "Bram", "address": {"street": "Dam"}}]},
        context={"refused": ()},
    )

    assert not group.is_valid()
    errors: Any = group.errors
    assert list(errors["people"]) == [1]
    assert errors["people"][1]["address"]["number"][0].code == "required"


def test_threads_validating_at_once_each_get_their_own_result():
    def check(n: int) -> bool:
        name = f"p{n}"
        valid, data, errors = _validate({"name": name, "age": n if n % 3 else -n - 1})
        if n % 3:
            return valid and data["name"] == name and data["age"] == n and errors == {}
        return not valid and set(errors) == {"age"}

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(check, range(2000)))


def test_a_field_that_needs_the_context_is_refused():
    class Stamped(SharedFieldsSerializer[Any]):
        owner = serializers.HiddenField(default=serializers.CurrentUserDefault())

    with pytest.raises(TypeError, match=r"Stamped\.owner needs the context"):
        Stamped(data={}).is_valid()
