"""API sign-in: ``POST /api/v1/auth/token/`` → ``{"token", "expiry"}``; use it as ``Authorization: Token <token>``.

Tokens are stored hashed (django-rest-knox) and expire (``REST_KNOX["TOKEN_TTL"]``). The holder lists their own
tokens (never the secret) and revokes them: ``POST /api/v1/auth/logout/`` revokes the token in use,
``POST /api/v1/auth/tokens/<token_key>/revoke/`` any of theirs. Failed sign-ins count towards the same lockout as
the web sign-in (django-axes).
"""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.core.auth import LOCKED_OUT_MESSAGE
from casework.core.signin import client_address

from . import services


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, max_length=4096)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class TokenListSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuthToken
        fields = ["token_key", "created", "expiry"]




class ObtainTokenView(APIView):
    """``POST {"username", "password"}`` → ``{"token", "expiry"}``. Use it as ``Authorization: Token <token>``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: inline_serializer("TokenRefused", {"non_field_errors": serializers.ListField()}),
            429: inline_serializer("SignInLockedOut", {"detail": serializers.CharField(), "code": serializers.CharField()}),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        http_request = request._request  # axes counts attempts on the HttpRequest
        user = authenticate(
            http_request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if getattr(http_request, "axes_locked_out", False):
            return Response({"detail": LOCKED_OUT_MESSAGE, "code": "locked_out"}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": ["Unable to sign in with those details."]}, status=status.HTTP_400_BAD_REQUEST
            )
        instance, secret = services.token_issue(user=user, ip=client_address(request))
        return Response({"token": secret, "expiry": instance.expiry})


class TokenListView(APIView):
    """The signed-in person's own API tokens: key prefix, created, expiry. Never the secret."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TokenListSerializer(many=True)})
    def get(self, request):
        rows = AuthToken.objects.filter(user=request.user).order_by("-created")
        return Response(TokenListSerializer(rows, many=True).data)


class TokenRevokeView(APIView):
    """Revoke one of your own tokens by its key prefix (as listed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, token_key: str):
        services.token_revoke(actor=request.user, token_key=token_key, ip=client_address(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """Revoke the token this request was made with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            services.token_revoke(actor=request.user, token_key=request.auth.token_key, ip=client_address(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
