from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.api.fields import CurrencyField, FenDisplayField
from shop.models import Brand, Category, Cooperative, ProductPage, Shareholding, Village, Workshop

IMAGE_SPEC = "fill-800x800|format-webp"
THUMB_SPEC = "fill-400x400|format-webp"


class CategorySerializer(serializers.ModelSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "name", "name_en", "slug", "description", "product_count"]


class VillageSerializer(serializers.ModelSerializer):
    alliance = serializers.CharField(source="alliance.name", read_only=True)
    income_target_fen = serializers.IntegerField(read_only=True)
    currency = CurrencyField()

    class Meta:
        model = Village
        fields = ["id", "name", "slug", "township", "alliance", "description", "income_target_fen", "currency"]


class VillageRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "name", "slug", "township"]


class ShareholdingSerializer(serializers.ModelSerializer):
    village = VillageRefSerializer(read_only=True)

    class Meta:
        model = Shareholding
        fields = ["village", "shares"]


class CooperativeSerializer(serializers.ModelSerializer):
    alliance = serializers.CharField(source="alliance.name", read_only=True, allow_null=True)
    shareholdings = ShareholdingSerializer(many=True, read_only=True)

    class Meta:
        model = Cooperative
        fields = ["id", "name", "short_name", "slug", "alliance", "description", "service_phone", "shareholdings"]


class CooperativeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cooperative
        fields = ["id", "name", "slug"]


class BrandSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Brand
        fields = ["id", "name", "slug", "aliases", "is_geographic_indication", "gi_certificate"]


class WorkshopRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Workshop
        fields = ["id", "name", "slug", "workshop_type"]


class ProductListSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cooperative = CooperativeRefSerializer(read_only=True)
    brand = serializers.CharField(source="brand.name", read_only=True, allow_null=True)
    is_geographic_indication = serializers.SerializerMethodField()
    price_min_fen = serializers.IntegerField(read_only=True, allow_null=True)
    price_max_fen = serializers.IntegerField(read_only=True, allow_null=True)
    price_min_display = FenDisplayField(source="price_min_fen")
    currency = CurrencyField()
    in_stock = serializers.BooleanField(read_only=True)
    image = serializers.SerializerMethodField()
    first_published_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = ProductPage
        fields = [
            "id", "title", "subtitle", "slug", "url", "category", "cooperative", "brand",
            "is_geographic_indication", "shipping_profile", "price_min_fen", "price_max_fen",
            "price_min_display", "currency", "in_stock", "image", "first_published_at",
        ]

    def get_url(self, product: ProductPage) -> str:
        return product.get_url(request=self.context.get("request"))

    def get_is_geographic_indication(self, product: ProductPage) -> bool:
        return bool(product.brand and product.brand.is_geographic_indication)

    @extend_schema_field(OpenApiTypes.URI)
    def get_image(self, product: ProductPage) -> str | None:
        first = next(iter(product.gallery_images.all()), None)
        return first.image.get_rendition(THUMB_SPEC).url if first else None


class VariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    label = serializers.CharField()
    price_fen = serializers.IntegerField()
    compare_at_price_fen = serializers.IntegerField(allow_null=True)
    price_display = FenDisplayField(source="price_fen")
    currency = CurrencyField()
    weight_g = serializers.IntegerField(allow_null=True)
    available = serializers.IntegerField()
    in_stock = serializers.BooleanField()


class SpecSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class GalleryImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    alt = serializers.CharField(source="alt_text")
    width = serializers.SerializerMethodField()
    height = serializers.SerializerMethodField()

    def _rendition(self, item):
        return item.image.get_rendition(IMAGE_SPEC)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, item) -> str:
        return self._rendition(item).url

    def get_width(self, item) -> int:
        return self._rendition(item).width

    def get_height(self, item) -> int:
        return self._rendition(item).height


class ProductDetailSerializer(ProductListSerializer):
    summary = serializers.CharField(read_only=True)
    brand = serializers.SerializerMethodField()
    workshop = WorkshopRefSerializer(read_only=True, allow_null=True)
    origin_villages = serializers.SerializerMethodField()
    variants = serializers.SerializerMethodField()
    specs = serializers.SerializerMethodField()
    gallery = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    class Meta(ProductListSerializer.Meta):
        fields = ProductListSerializer.Meta.fields + [
            "summary", "workshop", "origin_villages", "variants", "specs", "gallery", "tags",
        ]

    def _detail(self, product: ProductPage) -> dict:
        return self.context["detail"]

    @extend_schema_field(BrandSerializer(allow_null=True))
    def get_brand(self, product: ProductPage):
        brand = self._detail(product)["brand"]
        return BrandSerializer(brand).data if brand else None

    @extend_schema_field(VillageRefSerializer(many=True))
    def get_origin_villages(self, product: ProductPage):
        return VillageRefSerializer(self._detail(product)["origin_villages"], many=True).data

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, product: ProductPage):
        return VariantSerializer(self._detail(product)["variants"], many=True).data

    @extend_schema_field(SpecSerializer(many=True))
    def get_specs(self, product: ProductPage):
        return SpecSerializer(self._detail(product)["specs"], many=True).data

    @extend_schema_field(GalleryImageSerializer(many=True))
    def get_gallery(self, product: ProductPage):
        return GalleryImageSerializer(self._detail(product)["gallery"], many=True).data

    def get_tags(self, product: ProductPage) -> list[str]:
        return sorted(tag.name for tag in product.tags.all())
