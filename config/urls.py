from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from casework.core.api import HealthView
from casework.web.api import LogoutView, ObtainTokenView, TokenListView, TokenRevokeView
from casework.web.readiness import ReadinessView

api_v1 = [
    path("health/", HealthView.as_view(), name="health"),
    path("ready/", ReadinessView.as_view(), name="ready"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/tokens/", TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_key>/revoke/", TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("", include("casework.customers.api_urls")),
    path("", include("casework.ownership.api_urls")),
    path("", include("casework.intrays.api_urls")),
    path("", include("casework.contacts.api_urls")),
    path("", include("casework.ps.api_urls")),
    path("", include("casework.letters.api_urls")),
    path("", include("casework.org.api_urls")),
    path("", include("casework.notifications.api_urls")),
    path("", include("casework.approvals.api_urls")),
    path("", include("casework.core.ops_api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("casework.customers.urls")),
    path("", include("casework.ownership.urls")),
    path("", include("casework.intrays.urls")),
    path("", include("casework.contacts.urls")),
    path("", include("casework.ps.urls")),
    path("", include("casework.letters.urls")),
    path("", include("casework.org.urls")),
    path("", include("casework.notifications.urls")),
    path("", include("casework.approvals.urls")),
    path("", include("casework.core.ops_urls")),
    path("", include("casework.web.urls")),
]

# A server error under /api/ is JSON ({"detail", "code", "request_id"}), an HTML page elsewhere.
handler500 = "casework.core.api.server_error"
