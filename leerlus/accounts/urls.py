# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login", views.login_view, name="login"),
    path("login/second-factor", views.second_factor_view, name="second_factor"),
    path("logout", views.logout_view, name="logout"),
    path("security", views.security_view, name="security"),
    path("second-factor-needed", views.second_factor_needed_view, name="second_factor_needed"),
]
