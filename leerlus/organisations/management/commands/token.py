# SPDX-License-Identifier: EUPL-1.2
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from leerlus.organisations.models import User
from leerlus.organisations.services import api_token_create


class Command(BaseCommand):
    help = "Manage API tokens: `token create USERNAME` prints a new token for that person."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create (or replace) the token of USERNAME.")
        create.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No person with username {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"{user.username!r} is switched off; switch the account on first.")
        self.stdout.write(api_token_create(user=user))
