"""Smart Economy pages on a village host: the public UMKM list, product catalog, BUMDes and
village potential; a resident's own businesses and products; staff verification,
moderation, BUMDes figures and potential.

Views parse with a form, call services.economy (writes) or its selectors (reads), render.
Residents reach only their own businesses and products through the actor-scoped selectors;
public pages read only ``businesses_public`` / ``products_public``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balai.errors import BalaiError
from balai.marketplace.filters import catalog_filter, catalog_filters_parse
from frontend import charts
from frontend.access import resident_page, village_staff_page
from frontend.economy_forms import (
    BumdesForm,
    BumdesUnitForm,
    BumdesYearForm,
    BusinessFilterForm,
    BusinessForm,
    BusinessRegisterForm,
    PhotosForm,
    PotentialEditForm,
    PotentialForm,
    ProductCreateForm,
    ProductFilterForm,
    ProductForm,
    ReasonForm,
    StaffBusinessForm,
)
from frontend.forms import add_balai_errors
from frontend.learning_forms import ResidentSearchForm
from frontend.pages import flash_errors, form_saved, found_or_404, page_of, query_without
from frontend.resident_search import resident_search
from services.economy import selectors, services
from services.economy.models import (
    Bumdes,
    BumdesUnit,
    Business,
    BusinessStatus,
    Potential,
    Product,
)
from services.economy.publishing import contact_url, village_label
from services.economy.selectors import Actor
from services.residents.models import Resident

PAGE_SIZE = 24
STAFF_PAGE_SIZE = 50


def _with_contacts(products, label: str) -> list:
    """Each product with its "Hubungi penjual" WhatsApp link (publishing.contact_url)."""
    for product in products:
        product.contact = contact_url(
            whatsapp=product.business.whatsapp, product_name=product.name, village_label=label
        )
    return list(products)


# -- public ----------------------------------------------------------------------------------


def umkm_list(request: HttpRequest) -> HttpResponse:
    form = BusinessFilterForm(request.GET or None)
    businesses = selectors.businesses_public().annotate(
        product_count=Count("products", filter=Q(products__hidden=False))
    )
    if form.is_valid():
        if form.cleaned_data["q"]:
            businesses = businesses.filter(name__icontains=form.cleaned_data["q"])
        if form.cleaned_data["sector"]:
            businesses = businesses.filter(sector=form.cleaned_data["sector"])
    context = {
        "form": form,
        "page": page_of(request, businesses.order_by("name", "id"), PAGE_SIZE),
        "query": query_without(request, "halaman"),
    }
    template = "economy/_umkm_results.html" if request.htmx else "economy/umkm_list.html"
    return render(
        request, template, context, status=200 if form.is_valid() or not request.GET else 400
    )


def umkm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = selectors.businesses_public().filter(pk=pk).first()
    if business is None:
        raise Http404
    products = selectors.products_public().filter(business=business).order_by("name", "id")
    return render(
        request,
        "economy/umkm_detail.html",
        {"business": business, "products": _with_contacts(products, village_label())},
    )


def product_catalog(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    products = selectors.products_public()
    status = 200
    try:
        products = catalog_filter(products, catalog_filters_parse(request.GET))
    except BalaiError as error:
        form.is_valid()
        add_balai_errors(form, error)
        products, status = products.none(), 400
    page = page_of(request, products.order_by("name", "id"), PAGE_SIZE)
    page.object_list = _with_contacts(page.object_list, village_label())
    context = {"form": form, "page": page, "query": query_without(request, "halaman")}
    template = "economy/_product_results.html" if request.htmx else "economy/catalog.html"
    return render(request, template, context, status=status)


def _yearly_totals(bumdes: Bumdes | None) -> list[dict]:
    totals: dict[int, dict] = defaultdict(lambda: {"revenue": Decimal(0), "profit": Decimal(0)})
    for unit in bumdes.units.all() if bumdes else []:
        for row in unit.years.all():
            totals[row.year]["revenue"] += row.revenue
            totals[row.year]["profit"] += row.profit
    return [{"year": year, **totals[year]} for year in sorted(totals)]


def bumdes_page(request: HttpRequest) -> HttpResponse:
    bumdes = selectors.bumdes_with_figures()
    years = _yearly_totals(bumdes)
    chart = None
    if years:
        chart = charts.grouped_bar_chart(
            [
                charts.BarGroup(str(row["year"]), [float(row["revenue"]), float(row["profit"])])
                for row in years[-5:]
            ],
            series=[_("Pendapatan"), _("Laba")],
            title=_("Pendapatan dan laba BUMDes per tahun (Rp)"),
        )
    return render(
        request, "economy/bumdes.html", {"bumdes": bumdes, "years": years, "chart": chart}
    )


def potential_page(request: HttpRequest) -> HttpResponse:
    groups: dict[str, list[Potential]] = defaultdict(list)
    for potential in Potential.objects.all():
        groups[potential.get_category_display()].append(potential)
    return render(request, "economy/potential.html", {"groups": dict(groups)})


# -- residents: their own businesses ---------------------------------------------------------


def _resident_actor(request: HttpRequest) -> Actor:
    return Actor(is_staff=False, resident_id=request.resident.resident_id)


def _own_business(request: HttpRequest, pk: int) -> Business:
    return found_or_404(selectors.business_get_for, actor=_resident_actor(request), business_id=pk)


def _own_product(request: HttpRequest, pk: int) -> Product:
    return found_or_404(selectors.product_get_for, actor=_resident_actor(request), product_id=pk)


def _files(request: HttpRequest) -> list:
    return request.FILES.getlist("photos")


@resident_page
def my_businesses(request: HttpRequest) -> HttpResponse:
    businesses = (
        selectors.businesses_for(actor=_resident_actor(request))
        .annotate(product_count=Count("products"))
        .order_by("name", "id")
    )
    return render(request, "economy/my_businesses.html", {"businesses": businesses})


@resident_page
def my_business_new(request: HttpRequest) -> HttpResponse:
    form = BusinessRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        owner = Resident.objects.get(pk=request.resident.resident_id)
        try:
            business = services.business_register(
                owner=owner, data=form.cleaned_data, photos=_files(request)
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(request, _("Usaha tersimpan sebagai draf. Ajukan untuk diverifikasi."))
            return redirect("page-my-business-detail", business.pk)
    status = 400 if form.errors else 200
    return render(request, "economy/business_form.html", {"form": form}, status=status)


@resident_page
def my_business_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = _own_business(request, pk)
    form = BusinessForm(request.POST or None, initial=_business_initial(business))
    saved = form_saved(
        request,
        form,
        lambda: services.business_update(business=business, data=form.cleaned_data),
        success=_("Data usaha tersimpan."),
    )
    if saved:
        return redirect("page-my-business-detail", business.pk)
    return _business_detail(request, business, form=form)


def _business_initial(business: Business) -> dict:
    return {name: getattr(business, name) for name in BusinessForm.base_fields}


def _business_detail(request, business, *, form=None, photos_form=None) -> HttpResponse:
    form = form or BusinessForm(initial=_business_initial(business))
    photos_form = photos_form or PhotosForm()
    invalid = form.errors or photos_form.errors
    return render(
        request,
        "economy/my_business_detail.html",
        {
            "business": business,
            "form": form,
            "photos_form": photos_form,
            "products": business.products.order_by("name", "id"),
            "can_submit": business.status in (BusinessStatus.DRAFT, BusinessStatus.REJECTED),
        },
        status=400 if invalid else 200,
    )


def _photos_add(request: HttpRequest, add, *, back: tuple, page) -> HttpResponse:
    """The photos posted for a business or a product: ``add(uploads)``, then ``back`` (a
    route and its pk); refused, the page again (``page(photos_form)``) with the error."""
    if request.method != "POST":
        return redirect(*back)
    photos_form = PhotosForm(request.POST, request.FILES)
    if photos_form.is_valid():
        try:
            add(_files(request))
        except BalaiError as error:
            add_balai_errors(photos_form, error)
        else:
            messages.success(request, _("Foto tersimpan."))
            return redirect(*back)
    return page(photos_form)


def _photo_remove(request: HttpRequest, remove, *, back: tuple) -> HttpResponse:
    try:
        remove()
    except BalaiError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Foto dihapus."))
    return redirect(*back)


@resident_page
def my_business_photos(request: HttpRequest, pk: int) -> HttpResponse:
    business = _own_business(request, pk)
    return _photos_add(
        request,
        lambda uploads: services.business_photos_add(business=business, uploads=uploads),
        back=("page-my-business-detail", business.pk),
        page=lambda photos_form: _business_detail(request, business, photos_form=photos_form),
    )


@resident_page
def my_business_submit(request: HttpRequest, pk: int) -> HttpResponse:
    business = _own_business(request, pk)
    if request.method == "POST":
        try:
            services.business_submit(business=business)
        except BalaiError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("Usaha diajukan. Staf desa akan memverifikasinya."))
    return redirect("page-my-business-detail", business.pk)


@resident_page
def my_product_new(request: HttpRequest, pk: int) -> HttpResponse:
    business = _own_business(request, pk)
    form = ProductCreateForm(request.POST or None, request.FILES or None)
    saved = form_saved(
        request,
        form,
        lambda: services.product_create(
            business=business, data=form.cleaned_data, photos=_files(request)
        ),
        success=_("Produk tersimpan."),
    )
    if saved:
        return redirect("page-my-business-detail", business.pk)
    return render(
        request,
        "economy/product_form.html",
        {"form": form, "business": business},
        status=400 if form.errors else 200,
    )


@resident_page
def my_product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = _own_product(request, pk)
    form = ProductForm(request.POST or None, initial=_product_initial(product))
    photos_form = PhotosForm()
    saved = form_saved(
        request,
        form,
        lambda: services.product_update(product=product, data=form.cleaned_data),
        success=_("Produk tersimpan."),
    )
    if saved:
        return redirect("page-my-product-edit", product.pk)
    return _product_edit(request, product, form, photos_form)


def _product_initial(product: Product) -> dict:
    return {name: getattr(product, name) for name in ProductForm.base_fields}


def _product_edit(request, product, form, photos_form) -> HttpResponse:
    return render(
        request,
        "economy/product_edit.html",
        {
            "product": product,
            "business": product.business,
            "form": form,
            "photos_form": photos_form,
        },
        status=400 if form.errors or photos_form.errors else 200,
    )


@resident_page
def my_product_photos(request: HttpRequest, pk: int) -> HttpResponse:
    product = _own_product(request, pk)
    return _photos_add(
        request,
        lambda uploads: services.product_photos_add(product=product, uploads=uploads),
        back=("page-my-product-edit", product.pk),
        page=lambda photos_form: _product_edit(
            request, product, ProductForm(initial=_product_initial(product)), photos_form
        ),
    )


@resident_page
def my_product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = _own_product(request, pk)
    business_id = product.business_id
    if request.method == "POST":
        services.product_delete(product=product)
        messages.success(request, _("Produk dihapus."))
        return redirect("page-my-business-detail", business_id)
    return redirect("page-my-product-edit", product.pk)


@resident_page
@require_POST
def my_business_photo_delete(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    business = _own_business(request, pk)
    return _photo_remove(
        request,
        lambda: services.business_photo_remove(business=business, index=index),
        back=("page-my-business-detail", business.pk),
    )


@resident_page
@require_POST
def my_product_photo_delete(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    product = _own_product(request, pk)
    return _photo_remove(
        request,
        lambda: services.product_photo_remove(product=product, index=index),
        back=("page-my-product-edit", product.pk),
    )


# -- staff -----------------------------------------------------------------------------------


def _staff_actor(request: HttpRequest) -> Actor:
    return Actor(is_staff=True, user_id=request.user.pk)


@village_staff_page
def staff_economy(request: HttpRequest) -> HttpResponse:
    businesses = selectors.businesses_for(actor=_staff_actor(request)).select_related("owner")
    counts = dict(
        businesses.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return render(
        request,
        "economy/staff_economy.html",
        {
            "pending": businesses.filter(status=BusinessStatus.SUBMITTED).order_by("created_at"),
            "verified": page_of(
                request,
                businesses.filter(status=BusinessStatus.VERIFIED).order_by("name", "id"),
                STAFF_PAGE_SIZE,
            ),
            "counts": counts,
            "reason_form": ReasonForm(),
            "hidden_count": Product.objects.filter(hidden=True).count(),
        },
    )


def _staff_business(request: HttpRequest, pk: int) -> Business:
    return found_or_404(selectors.business_get_for, actor=_staff_actor(request), business_id=pk)


def _staff_product(request: HttpRequest, pk: int) -> Product:
    return found_or_404(selectors.product_get_for, actor=_staff_actor(request), product_id=pk)


@village_staff_page
def staff_business_verify(request: HttpRequest, pk: int) -> HttpResponse:
    business = _staff_business(request, pk)
    if request.method == "POST":
        try:
            services.business_verify(business=business, by_user_id=request.user.pk)
        except BalaiError as error:
            flash_errors(request, error)
        else:
            messages.success(request, _("Usaha %(name)s terverifikasi.") % {"name": business.name})
    return redirect("page-staff-economy")


@village_staff_page
def staff_business_reject(request: HttpRequest, pk: int) -> HttpResponse:
    business = _staff_business(request, pk)
    if request.method == "POST":
        form = ReasonForm(request.POST)
        form.is_valid()
        try:
            services.business_reject(
                business=business,
                reason=form.cleaned_data.get("reason", ""),
                by_user_id=request.user.pk,
            )
        except BalaiError as error:
            flash_errors(request, error)
            return redirect("page-staff-economy")
        messages.success(request, _("Usaha %(name)s ditolak.") % {"name": business.name})
    return redirect("page-staff-economy")


@village_staff_page
def staff_products(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    products = selectors.products_for(actor=_staff_actor(request))
    if request.GET.get("tersembunyi") == "1":
        products = products.filter(hidden=True)
    if form.is_valid() and form.cleaned_data["q"]:
        products = products.filter(name__icontains=form.cleaned_data["q"])
    return render(
        request,
        "economy/staff_products.html",
        {
            "form": form,
            "page": page_of(request, products.order_by("name", "id"), PAGE_SIZE),
            "query": query_without(request, "halaman"),
            "only_hidden": request.GET.get("tersembunyi") == "1",
        },
    )


@village_staff_page
def staff_product_hide(request: HttpRequest, pk: int) -> HttpResponse:
    product = _staff_product(request, pk)
    if request.method == "POST":
        form = ReasonForm(request.POST)
        form.is_valid()
        try:
            product = services.product_hide(
                product=product,
                reason=form.cleaned_data.get("reason", ""),
                by_user_id=request.user.pk,
            )
        except BalaiError as error:
            if request.htmx:
                add_balai_errors(form, error)
                return render(
                    request,
                    "economy/_staff_product_row.html",
                    {"product": product, "error_form": form},
                    status=400,
                )
            flash_errors(request, error)
        else:
            if request.htmx:
                return render(request, "economy/_staff_product_row.html", {"product": product})
            messages.success(request, _("Produk disembunyikan dari katalog."))
    return redirect("page-staff-products")


@village_staff_page
def staff_product_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    product = _staff_product(request, pk)
    if request.method == "POST":
        product = services.product_unhide(product=product, by_user_id=request.user.pk)
        if request.htmx:
            return render(request, "economy/_staff_product_row.html", {"product": product})
        messages.success(request, _("Produk ditampilkan lagi di katalog."))
    return redirect("page-staff-products")


@village_staff_page
def staff_bumdes(request: HttpRequest) -> HttpResponse:
    bumdes = selectors.bumdes_with_figures()
    units = list(bumdes.units.all()) if bumdes else []
    initial = (
        {name: getattr(bumdes, name) or "" for name in BumdesForm.base_fields} if bumdes else None
    )
    forms = {
        "bumdes_form": BumdesForm(initial=initial),
        "unit_form": BumdesUnitForm(),
        "year_form": BumdesYearForm(units=units),
    }
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "bumdes":
            form = forms["bumdes_form"] = BumdesForm(request.POST)
            if form.is_valid():
                services.bumdes_save(data=form.cleaned_data)
        elif action == "unit":
            form = forms["unit_form"] = BumdesUnitForm(request.POST)
            if form.is_valid():
                services.bumdes_unit_create(data=form.cleaned_data)
        elif action == "year":
            form = forms["year_form"] = BumdesYearForm(request.POST, units=units)
            if form.is_valid():
                unit = next(u for u in units if str(u.pk) == form.cleaned_data["unit"])
                services.bumdes_unit_year_report(
                    unit=unit, year=form.cleaned_data["year"], data=form.cleaned_data
                )
    except BalaiError as error:
        add_balai_errors(form, error)
    if action in ("bumdes", "unit", "year"):
        if not form.errors:
            messages.success(request, _("Data BUMDes tersimpan."))
            return redirect("page-staff-bumdes")
        status = 400
    return render(
        request,
        "economy/staff_bumdes.html",
        {"bumdes": bumdes, "units": units, **forms},
        status=status,
    )


@village_staff_page
def staff_potential(request: HttpRequest) -> HttpResponse:
    form = PotentialForm(request.POST or None, request.FILES or None)
    saved = form_saved(
        request,
        form,
        lambda: services.potential_create(data=form.cleaned_data, photos=_files(request)),
        success=_("Potensi desa tersimpan."),
    )
    if saved:
        return redirect("page-staff-potential")
    return render(
        request,
        "economy/staff_potential.html",
        {"form": form, "potentials": Potential.objects.all()},
        status=400 if form.errors else 200,
    )


@village_staff_page
def staff_potential_delete(request: HttpRequest, pk: int) -> HttpResponse:
    potential = _staff_potential(pk)
    if request.method == "POST":
        services.potential_delete(potential=potential)
        messages.success(request, _("Potensi desa dihapus."))
    return redirect("page-staff-potential")


@village_staff_page
def staff_business_new(request: HttpRequest) -> HttpResponse:
    """Staff register a business for a resident found by NIK or name (htmx search), through
    the service the resident's own registration uses."""
    search_form = ResidentSearchForm(request.GET or None)
    found = resident_search(request, search_form, page="business")
    if request.htmx and request.htmx.target == "owner-results":
        return render(request, "economy/_owner_results.html", {"found": found})
    form = StaffBusinessForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            owner = services.business_owner_get(form.cleaned_data["owner_id"])
            business = services.business_register(
                owner=owner, data=form.cleaned_data, photos=_files(request)
            )
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            if form.cleaned_data["submit"]:
                services.business_submit(business=business)
            messages.success(
                request,
                _("Usaha %(name)s terdaftar atas nama %(owner)s.")
                % {"name": business.name, "owner": owner.full_name},
            )
            return redirect("page-staff-economy")
    return render(
        request,
        "economy/staff_business_form.html",
        {"form": form, "search_form": search_form, "found": found},
        status=400 if form.errors else 200,
    )


def _staff_potential(pk: int) -> Potential:
    return get_object_or_404(Potential, pk=pk)


@village_staff_page
def staff_potential_edit(request: HttpRequest, pk: int) -> HttpResponse:
    potential = _staff_potential(pk)
    initial = {
        name: "" if getattr(potential, name) is None else getattr(potential, name)
        for name in PotentialEditForm.base_fields
    }
    form = PotentialEditForm(request.POST or None, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda: services.potential_update(potential=potential, data=form.cleaned_data),
        success=_("Potensi desa tersimpan."),
    )
    if saved:
        return redirect("page-staff-potential")
    return render(
        request,
        "economy/staff_potential_edit.html",
        {"form": form, "potential": potential},
        status=400 if form.errors else 200,
    )


def _staff_unit(pk: int) -> BumdesUnit:
    return get_object_or_404(BumdesUnit, pk=pk)


@village_staff_page
def staff_bumdes_unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _staff_unit(pk)
    initial = {name: getattr(unit, name) for name in BumdesUnitForm.base_fields}
    form = BumdesUnitForm(request.POST or None, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda: services.bumdes_unit_update(unit=unit, data=form.cleaned_data),
        success=_("Unit usaha tersimpan."),
    )
    if saved:
        return redirect("page-staff-bumdes")
    return render(
        request,
        "economy/staff_bumdes_unit_edit.html",
        {"form": form, "unit": unit},
        status=400 if form.errors else 200,
    )


@village_staff_page
@require_POST
def staff_bumdes_unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.bumdes_unit_delete(unit=_staff_unit(pk))
    messages.success(request, _("Unit usaha dihapus."))
    return redirect("page-staff-bumdes")
