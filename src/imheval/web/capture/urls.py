app_name = "capture"

urlpatterns: list[object] = []
