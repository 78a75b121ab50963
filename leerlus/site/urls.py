# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from . import views

app_name = "site"
urlpatterns = [path("", views.home_view, name="home")]
