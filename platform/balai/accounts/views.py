"""Login on a village host: residents with NIK + PIN, staff with username + password."""

from django.contrib.auth import authenticate, login
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from balai.accounts.permissions import IsVillageResident, IsVillageStaff, request_staff_role
from balai.accounts.principals import RESIDENT_SESSION_KEY
from balai.accounts.serializers import ResidentLoginSerializer, StaffLoginSerializer
from balai.errors import BalaiError
from services.residents.services import resident_authenticate, resident_token_create


class LoginThrottle(AnonRateThrottle):
    rate = "30/min"


class ResidentLoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginThrottle]

    def post(self, request):
        serializer = ResidentLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        account = resident_authenticate(nik=data["nik"], pin=data["pin"])
        body = {"resident_id": account.resident_id}
        if data["token"]:
            body["token"] = resident_token_create(account=account)
        else:
            request.session.cycle_key()
            request.session[RESIDENT_SESSION_KEY] = {
                "schema": request.village.schema_name,
                "account": account.pk,
                "resident": account.resident_id,
            }
        return Response(body)


class StaffLoginView(APIView):
    """Token login for staff of this village; refuses people who are not its staff."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginThrottle]

    def post(self, request):
        serializer = StaffLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise BalaiError.single(
                "password",
                "invalid_login",
                "Nama pengguna atau kata sandi salah.",
                "Wrong username or password.",
            )
        request.user = user
        role = request_staff_role(request)
        if role is None:
            raise BalaiError.single(
                "username",
                "not_village_staff",
                "Akun ini bukan perangkat desa ini.",
                "This account is not staff of this village.",
                status=403,
            )
        login(request, user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "role": role})


class WhoAmIView(APIView):
    permission_classes = [IsVillageStaff | IsVillageResident]

    def get(self, request):
        user = request.user
        if getattr(user, "is_resident", False):
            return Response({"kind": "resident", "resident_id": user.resident_id})
        return Response(
            {"kind": "staff", "username": user.username, "role": request_staff_role(request)}
        )
