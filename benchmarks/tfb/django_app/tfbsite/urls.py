from django.urls import path

from worlds import views

urlpatterns = [
    path("json", views.json),
    path("db", views.db),
    path("queries", views.queries),
    path("fortunes", views.fortunes),
    path("updates", views.updates),
    path("plaintext", views.plaintext),
]
