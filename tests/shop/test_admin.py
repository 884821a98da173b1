"""The catalogue in the Wagtail admin: listings, the product editor's SKU checks, private
participant fields and stock changes."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from shop.models import CatalogueIndexPage, Participant, ProductPage, StockRecord

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["alliance", "village", "cooperative", "workshop", "participant", "brand", "category"])
def test_producer_listings_render_with_search(client, superuser, model):
    client.force_login(superuser)
    response = client.get(reverse(f"wagtailsnippets_shop_{model}:list") + "?q=村")
    assert response.status_code == 200


def _product_form(*, title, slug, skus, category, cooperative, image):
    return nested_form_data({
        "title": title, "slug": slug, "subtitle": "", "summary": "",
        "gallery_images": inline_formset([{"image": image.pk, "caption": ""}]),
        "variants": inline_formset([
            {"sku": sku, "label": f"规格{i}", "price_fen": 1000, "compare_at_price_fen": "", "weight_g": "", "is_active": "on"}
            for i, sku in enumerate(skus)
        ]),
        "story": streamfield([]),
        "specs": inline_formset([]),
        "cooperative": cooperative.pk, "brand": "", "workshop": "", "category": category.pk,
        "shipping_profile": "ambient", "tags": "",
        "platform_rate_bp": "", "reserve_rate_bp": "", "labour_per_unit_fen": "", "labour_rate_bp": "",
        "seo_title": "", "search_description": "",
    })


def _add_url():
    catalogue = CatalogueIndexPage.objects.get()
    return reverse("wagtailadmin_pages:add", args=["shop", "productpage", catalogue.pk])


def _refs():
    zhizi = ProductPage.objects.get(slug="changjie-zhizi")
    return {"category": zhizi.category, "cooperative": zhizi.cooperative, "image": zhizi.gallery_images.first().image}


def test_editor_can_create_and_publish_a_product_with_variants(client, superuser):
    client.force_login(superuser)
    data = _product_form(title="新品", slug="new-product", skus=["NEW-1", "new-2"], **_refs()) | {"action-publish": "publish"}
    response = client.post(_add_url(), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    product = ProductPage.objects.get(slug="new-product")
    assert product.live
    assert sorted(product.variants.values_list("sku", flat=True)) == ["NEW-1", "NEW-2"]  # normalised to capitals


def test_product_editor_rejects_sku_used_by_another_product(client, superuser):
    client.force_login(superuser)
    response = client.post(_add_url(), _product_form(title="重复", slug="dup", skus=["CJ-ZZ-500G"], **_refs()) | {"action-publish": "publish"})
    assert response.status_code == 200
    assert "长街蛭子" in response.content.decode()  # the error names the product that owns the code
    assert not ProductPage.objects.filter(slug="dup").exists()


def test_product_editor_rejects_same_sku_twice_on_a_page(client, superuser):
    client.force_login(superuser)
    response = client.post(_add_url(), _product_form(title="重复", slug="dup2", skus=["DUP-1", "dup-1"], **_refs()))
    assert response.status_code == 200
    assert not ProductPage.objects.filter(slug="dup2").exists()


def test_participant_private_fields_are_hidden_from_editors(client, editor):
    participant = Participant.objects.filter(phone__gt="").first()
    client.force_login(editor)
    html = client.get(reverse("wagtailsnippets_shop_participant:edit", args=[participant.pk])).content.decode()
    assert participant.name in html
    assert participant.phone not in html and 'name="bank_account"' not in html
    # and an editor's save leaves the private fields as they were
    response = client.post(
        reverse("wagtailsnippets_shop_participant:edit", args=[participant.pk]),
        {"name": participant.name, "workshop": participant.workshop_id, "is_active": "on", "joined_on": "",
         "phone": "13999999999", "bank_account": "stolen"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.phone != "13999999999" and participant.bank_account != "stolen"


def test_participant_private_fields_are_shown_to_admins(client, superuser):
    participant = Participant.objects.filter(phone__gt="").first()
    client.force_login(superuser)
    html = client.get(reverse("wagtailsnippets_shop_participant:edit", args=[participant.pk])).content.decode()
    assert participant.phone in html and 'name="bank_account"' in html


def test_staff_record_a_stock_correction_with_a_reason(client, editor):
    client.force_login(editor)
    record = StockRecord.objects.get(sku="CJ-ZZ-500G")
    url = reverse("shop_stock:edit", args=[record.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "adjust", "quantity": -2, "reason": "盘点短少"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.on_hand == 118
    movement = record.movements.first()
    assert (movement.kind, movement.quantity, movement.reason, movement.actor) == ("adjust", -2, "盘点短少", editor)


def test_stock_correction_without_reason_is_refused_and_changes_nothing(client, editor):
    client.force_login(editor)
    record = StockRecord.objects.get(sku="CJ-ZZ-500G")
    response = client.post(reverse("shop_stock:edit", args=[record.pk]), {"kind": "adjust", "quantity": -2, "reason": ""})
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.on_hand == 120


def test_stock_cannot_be_taken_below_zero_from_the_admin(client, editor):
    client.force_login(editor)
    record = StockRecord.objects.get(sku="CJ-ZZ-GIFT")
    response = client.post(reverse("shop_stock:edit", args=[record.pk]), {"kind": "adjust", "quantity": -999, "reason": "盘点"})
    assert response.status_code == 200
    assert "30" in response.content.decode()
    record.refresh_from_db()
    assert record.on_hand == 30


def test_staff_receive_stock_for_a_sku_without_a_record(client, editor):
    client.force_login(editor)
    assert not StockRecord.objects.filter(sku="LG-MS-STD-X").exists()
    response = client.post(reverse("shop_stock:add"), {"sku": "cj-xp-500g", "kind": "receive", "quantity": 12, "reason": "到货"})
    assert response.status_code == 302
    assert StockRecord.objects.get(sku="CJ-XP-500G").on_hand == 12


def test_receiving_stock_for_an_unknown_sku_is_refused(client, editor):
    client.force_login(editor)
    response = client.post(reverse("shop_stock:add"), {"sku": "NO-SUCH-SKU", "kind": "receive", "quantity": 1})
    assert response.status_code == 200
    assert not StockRecord.objects.filter(sku="NO-SUCH-SKU").exists()


def test_stock_listing_searches_and_has_no_delete(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("shop_stock:index") + "?q=CJ-ZZ")
    html = response.content.decode()
    assert response.status_code == 200 and "CJ-ZZ-500G" in html and "SM-LM-125G4" not in html
    record = StockRecord.objects.get(sku="CJ-ZZ-500G")
    assert client.post(reverse("shop_stock:delete", args=[record.pk])).status_code in (302, 403)
    assert StockRecord.objects.filter(pk=record.pk).exists()


def test_users_without_stock_permission_cannot_change_stock(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="pw-for-tests-only")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    record = StockRecord.objects.get(sku="CJ-ZZ-500G")
    response = client.post(reverse("shop_stock:edit", args=[record.pk]), {"kind": "receive", "quantity": 5, "reason": ""})
    assert response.status_code in (302, 403)
    record.refresh_from_db()
    assert record.on_hand == 120


def test_accountant_sees_only_participants_of_their_cooperatives(client, django_user_model):
    from django.contrib.auth.models import Permission

    from orders.models import Accountant
    from shop.models import Cooperative

    user = django_user_model.objects.create_user("participant-accountant", password="pw-for-tests-only")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_participant", "change_participant"]))
    Accountant.objects.create(user=user).cooperatives.add(Cooperative.objects.get(slug="xiwu-qiangcun"))
    own = Participant.objects.get(name="蒋凤仙")  # 西坞刺绣共富工坊
    other = Participant.objects.get(name="王秀英")  # 长街蛭子分拣共富工坊
    client.force_login(user)
    listing = client.get(reverse("wagtailsnippets_shop_participant:list")).content.decode()
    assert own.name in listing and other.name not in listing
    assert client.get(reverse("wagtailsnippets_shop_participant:edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("wagtailsnippets_shop_participant:edit", args=[other.pk])).status_code == 404
