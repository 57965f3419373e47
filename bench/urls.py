"""The project's URLs plus the floors of the page benchmarks; used only through bench/settings.py."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from cchc_inspection.urls import urlpatterns as project_urlpatterns


@login_required
def floor(request):
    """The least a signed-in page costs: every middleware, the session and the user, and no work."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@login_required
def layout(request):
    """The page layout (base.html: menu, footer, language form) around an empty content block."""
    return render(request, "base.html", {})


urlpatterns = [
    *project_urlpatterns,
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/layout/", layout, name="bench_layout"),
]
