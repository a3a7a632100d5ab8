from django.urls import path

from clients.handover import views

urlpatterns = [
    path("handover/", views.handover_list, name="handover-list"),
    path("handover/new/", views.handover_create, name="handover-create"),
    path("handover/<int:pk>/", views.handover_detail, name="handover-detail"),
    path("handover/<int:pk>/import/", views.handover_import, name="handover-import"),
    path("handover/<int:pk>/entries/", views.handover_entry_add, name="handover-entry-add"),
    path("handover/<int:pk>/entries/<int:entry_pk>/remove/", views.handover_entry_remove, name="handover-entry-remove"),
    path("handover/<int:pk>/acknowledge/", views.handover_acknowledge, name="handover-acknowledge"),
    path("handover/<int:pk>/new-version/", views.handover_new_version, name="handover-new-version"),
    path("knowledge/", views.knowledge_page, name="knowledge"),
]
