from django.urls import path

from inspections import views

app_name = "inspections"
urlpatterns = [
    path("ke-hoach/", views.plan_list, name="plan_list"),
    path("ke-hoach/them/", views.plan_create, name="plan_create"),
    path("ke-hoach/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("ke-hoach/<int:pk>/sua/", views.plan_edit, name="plan_edit"),
    path("ke-hoach/<int:pk>/trang-thai/", views.plan_status, name="plan_status"),
    path("ke-hoach/<int:pk>/sao-chep/", views.plan_copy, name="plan_copy"),
    path("ke-hoach/<int:pk>/don-vi/", views.plan_units, name="plan_units"),
    path("ke-hoach/<int:pk>/noi-dung/", views.plan_areas, name="plan_areas"),
    path("ke-hoach/<int:pk>/doan/", views.team_detail, name="team_detail"),
    path("ke-hoach/<int:pk>/doan/sua/", views.team_edit, name="team_edit"),
    path("ke-hoach/<int:pk>/doan/them/", views.member_create, name="member_create"),
    path("ke-hoach/<int:pk>/lich/", views.schedule, name="schedule"),
    path("ke-hoach/<int:pk>/lich/thang/", views.schedule_calendar, name="schedule_calendar"),
    path("ke-hoach/<int:pk>/lich/them/", views.inspection_create, name="inspection_create"),
    path("noi-dung/<int:area_pk>/tieu-chi/them/", views.criterion_create, name="criterion_create"),
    path("tieu-chi/<int:pk>/sua/", views.criterion_edit, name="criterion_edit"),
    path("tieu-chi/<int:pk>/ngung-dung/", views.criterion_retire, name="criterion_retire"),
    path("tieu-chi/<int:pk>/xoa/", views.criterion_delete, name="criterion_delete"),
    path("thanh-vien/<int:pk>/sua/", views.member_edit, name="member_edit"),
    path("thanh-vien/<int:pk>/xoa/", views.member_delete, name="member_delete"),
    path("kiem-tra/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("kiem-tra/<int:pk>/sua/", views.inspection_edit, name="inspection_edit"),
    path("kiem-tra/<int:pk>/doi-lich/", views.inspection_reschedule, name="inspection_reschedule"),
    path("kiem-tra/<int:pk>/xac-nhan-canh-bao/", views.inspection_acknowledge, name="inspection_acknowledge"),
    path("kiem-tra/<int:pk>/thong-bao.pdf", views.notice_preview, name="notice_preview"),
    path("kiem-tra/<int:pk>/thong-bao/gui/", views.notice_send, name="notice_send"),
    path("kiem-tra/<int:pk>/thong-bao/<int:notice_pk>/", views.notice_download, name="notice_download"),
    path("lich-cua-toi/", views.my_calendar, name="my_calendar"),
    path("lich/<str:token>/thanh-vien.ics", views.feed_member, name="feed_member"),
    path("lich/<str:token>/don-vi.ics", views.feed_unit, name="feed_unit"),
]
