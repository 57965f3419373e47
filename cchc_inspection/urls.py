from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from units import views as unit_views
from units.forms import LoginForm

urlpatterns = [
    path("", unit_views.home, name="home"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("dang-nhap/doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("dang-nhap/doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    path("don-vi/", include("units.urls")),
    path("", include("inspections.urls")),
    path("bao-cao/", include("reports.urls")),
    path("quan-tri/", admin.site.urls),
]
