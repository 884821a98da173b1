"""API v1 of live selling: sessions (on air, coming up, replays) and buying from a room.

The real-time events themselves travel over the room's WebSocket; this API gives a client
what it needs to open the room, draw it and buy from it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from livestream import events
from livestream.models import LiveSession, SessionStatus
from livestream.offers import offers_running
from livestream.sales import room_buy
from livestream.sessions import pin_timeline, pinned_product, playback_url
from orders.buying.api.errors import CartRefused
from orders.buying.api.serializers import CartSerializer
from orders.buying.cart import MAX_QUANTITY_PER_LINE, CartError, cart_summary
from orders.buying.session_cart import cart_for_request
from shop.api.errors import ErrorSerializer

TAGS = ["live"]
SESSION_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Live session id.")


class HostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class LiveSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    host = HostSerializer()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    scheduled_start = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    room_url = serializers.CharField(source="get_absolute_url")
    socket_path = serializers.SerializerMethodField(help_text="The viewers' WebSocket path of the room.")
    playback_url = serializers.SerializerMethodField(help_text="HLS playlist while live; empty otherwise.")
    replay_url = serializers.CharField(help_text="HLS playlist of the recording once it has ended; may be empty.")

    def get_socket_path(self, session: LiveSession) -> str:
        return f"/ws/live/{session.pk}/"

    def get_playback_url(self, session: LiveSession) -> str:
        return playback_url(session) if session.status == SessionStatus.LIVE else ""


class VariantCardSerializer(serializers.Serializer):
    sku = serializers.CharField()
    label = serializers.CharField()
    price_fen = serializers.IntegerField()
    available = serializers.IntegerField()


class ProductCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    image = serializers.CharField()
    variants = VariantCardSerializer(many=True)


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    product_id = serializers.IntegerField(allow_null=True)
    product_title = serializers.CharField()
    variant_label = serializers.CharField()
    price_fen = serializers.IntegerField(help_text="Live-only price.")
    catalogue_price_fen = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField()
    remaining = serializers.IntegerField()
    per_buyer_limit = serializers.IntegerField()
    status = serializers.CharField()
    ends_at = serializers.DateTimeField(allow_null=True, help_text="Null: until sold out or stopped.")
    server_time = serializers.DateTimeField(help_text="For countdowns that do not trust the device clock.")


class CueSerializer(serializers.Serializer):
    offset_seconds = serializers.IntegerField(help_text="From this second of the recording on, this card shows.")
    product = ProductCardSerializer(allow_null=True)


class LiveSessionDetailSerializer(LiveSessionSerializer):
    products = ProductCardSerializer(many=True)
    pinned = ProductCardSerializer(allow_null=True)
    offers = OfferSerializer(many=True, help_text="Offers running now.")
    timeline = CueSerializer(many=True, help_text="The pin timeline, for product cards during a replay.")


class SessionListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=SessionStatus.choices, required=False)


class LiveSessionListView(generics.ListAPIView):
    """Sessions on air first, then coming up, then replays (or one status with ?status=)."""

    serializer_class = LiveSessionSerializer
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="live_sessions_list", tags=TAGS,
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=[c for c, _ in SessionStatus.choices])],
        responses={200: LiveSessionSerializer(many=True), 400: ErrorSerializer},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to read
            return LiveSession.objects.none()
        query = SessionListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        sessions = LiveSession.objects.select_related("host").order_by("-scheduled_start", "-id")
        if "status" in query.validated_data:
            return sessions.filter(status=query.validated_data["status"])
        return sorted(sessions, key=lambda s: ({"live": 0, "scheduled": 1, "ended": 2}[s.status]))


class LiveSessionDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="live_sessions_retrieve", tags=TAGS, parameters=[SESSION_ID],
        summary="A session as its room shows it",
        description="Products, the pinned product, running offers and the pin timeline; the same state the "
        "room's socket sends on connect.",
        responses={200: LiveSessionDetailSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        session = generics.get_object_or_404(LiveSession.objects.select_related("host"), pk=pk)
        products = [sp.product for sp in session.session_products.select_related("product").order_by("sort_order")]
        body = LiveSessionSerializer(session).data | {
            "products": [events.product_card(p) for p in products],
            "pinned": events.product_card(pinned_product(session)),
            "offers": [events.offer_payload(o) for o in offers_running(session)],
            "timeline": pin_timeline(session),
        }
        return Response(body)


class RoomBuySerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY_PER_LINE)
    offer_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class RoomCartView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="live_sessions_cart_create", tags=TAGS, parameters=[SESSION_ID],
        summary="Add to the cart from the room",
        description="The line carries the session (and pays its host a commission) while the session is on air "
        "or within the attribution window after it; with offer_id, at the running offer's price within its "
        "per-buyer limit. Returns the whole cart; check out with POST /api/v1/checkout/.",
        request=RoomBuySerializer,
        responses={201: CartSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        session = generics.get_object_or_404(LiveSession, pk=pk)
        data = RoomBuySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = cart_for_request(request, create=True)
        try:
            room_buy(
                session=session, cart=cart, sku=data.validated_data["sku"], quantity=data.validated_data["quantity"],
                offer_id=data.validated_data.get("offer_id"), user=request.user,
            )
        except CartError as error:
            raise CartRefused(str(error)) from error
        return Response(CartSerializer(cart_summary(cart=cart)).data, status=status.HTTP_201_CREATED)
