"""The village's public site (home, news, announcements, budget) and the staff pages that
feed it (news editor, profile, officials, APBDes entry).

The home page reads one cached dictionary (services.village.home.village_home): no query
per visit while it is warm, and every write below forgets it through the services.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from balai.accounts.models import StaffRole
from balai.errors import BalaiError
from frontend.access import request_staff_role, village_staff_page, village_staff_page_for
from frontend.charts import BarGroup, grouped_bar_chart
from frontend.forms import add_balai_errors
from frontend.pages import form_saved, page_of
from frontend.site_forms import (
    ArticleForm,
    BudgetImportForm,
    BudgetLineForm,
    OfficialForm,
    ProfileForm,
    YearForm,
)
from services.budget import services as budget_services
from services.budget import workbook
from services.budget.models import BudgetLine
from services.budget.selectors import budget_summary, budget_years
from services.news import selectors as news_selectors
from services.news import services as news_services
from services.news.models import ArticleKind, ArticleStatus, Category
from services.village import services as village_services
from services.village.home import village_home as village_home_data
from services.village.images import image_url
from services.village.models import Official, VillageProfile

PAGE_SIZE = 10
STAFF_PAGE_SIZE = 20
FEED_SIZE = 30
PROFILE_EDITORS = (StaffRole.KEPALA_DESA, StaffRole.SEKRETARIS)
MILLION = Decimal(1_000_000)

# Short names for the chart's left column (the table beside it has the full names).
SHORT_LABELS = {
    "dana_desa": _("Dana Desa"),
    "alokasi_dana_desa": _("ADD"),
    "pendapatan_asli_desa": _("PAD"),
    "bagi_hasil_pajak_retribusi": _("Bagi hasil"),
    "bantuan_keuangan": _("Bantuan"),
    "lain_lain": _("Lain-lain"),
    "pemerintahan": _("Pemerintahan"),
    "pembangunan": _("Pembangunan"),
    "kemasyarakatan": _("Kemasyarakatan"),
    "pemberdayaan": _("Pemberdayaan"),
    "bencana_darurat_mendesak": _("Bencana/darurat"),
}


def _budget_chart(group: dict, *, title: str):
    """Budget vs realisation per source or bidang, in millions of rupiah."""
    groups = [
        BarGroup(
            label=str(SHORT_LABELS.get(row["code"], row["label"])),
            values=[
                float(Decimal(row["budget"]) / MILLION),
                float(Decimal(row["realised"]) / MILLION),
            ],
        )
        for row in group["rows"]
    ]
    return grouped_bar_chart(
        groups, series=[_t("Anggaran"), _t("Realisasi")], title=title, label_width=110
    )


def _sector_label(row: dict) -> str:
    return row["label_en"] if translation.get_language() == "en" else row["label"]


def _budget_context(summary: dict | None) -> dict:
    if summary is None:
        return {"budget": None}
    for group in (summary["income"], summary["spending"]):
        for row in group["rows"]:
            row["display_label"] = _sector_label(row)
    return {
        "budget": summary,
        "spending_chart": _budget_chart(
            summary["spending"],
            title=_t("Belanja %(year)s per bidang: anggaran dan realisasi (juta rupiah)")
            % {"year": summary["year"]},
        ),
        "income_chart": _budget_chart(
            summary["income"],
            title=_t("Pendapatan %(year)s per sumber: anggaran dan realisasi (juta rupiah)")
            % {"year": summary["year"]},
        ),
    }


# -- public pages ----------------------------------------------------------------------------


def village_home(request: HttpRequest) -> HttpResponse:
    home = village_home_data()
    context = {"village": request.village, "home": home, "profile": home["profile"]}
    budget = home["budget"]
    if budget is not None:
        context["spending_chart"] = _budget_chart(
            budget["spending"],
            title=_t("Belanja %(year)s per bidang: anggaran dan realisasi (juta rupiah)")
            % {"year": budget["year"]},
        )
    return render(request, "site/home.html", context)


def _article_list(request: HttpRequest, *, kind: str, title, template: str) -> HttpResponse:
    articles = news_selectors.articles_for(staff=False, kind=kind).defer("body")
    page = page_of(request, articles, PAGE_SIZE)
    return render(
        request, template, {"village": request.village, "page": page, "title": title, "kind": kind}
    )


def news_list(request: HttpRequest) -> HttpResponse:
    return _article_list(
        request, kind=ArticleKind.NEWS, title=_("Berita"), template="site/article_list.html"
    )


def announcement_list(request: HttpRequest) -> HttpResponse:
    return _article_list(
        request,
        kind=ArticleKind.ANNOUNCEMENT,
        title=_("Pengumuman"),
        template="site/article_list.html",
    )


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # Staff may preview drafts and scheduled items; for everyone else they do not exist.
    article = news_selectors.article_get_for(
        slug=slug, staff=request_staff_role(request) is not None
    )
    if article is None:
        raise Http404
    return render(
        request,
        "site/article_detail.html",
        {"village": request.village, "article": article, "cover_url": image_url(article.cover)},
    )


class NewsFeed(Feed):
    """Atom feed of the latest published news and announcements, linking to their pages."""

    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return request.village

    def title(self, village) -> str:
        return f"{_t('Berita')} {village.local_term.title()} {village.name}"

    def subtitle(self, village) -> str:
        return f"{_t('Berita dan pengumuman')} {village.local_term} {village.name}"

    def link(self, village) -> str:
        return reverse("page-news-list")

    def items(self, village):
        return news_selectors.articles_for(staff=False)[:FEED_SIZE]

    def item_title(self, article) -> str:
        return article.title

    def item_description(self, article) -> str:
        return article.summary or article.body[:300]

    def item_link(self, article) -> str:
        return reverse("page-article", args=[article.slug])

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article) -> str | None:
        return article.author_name or None

    def item_categories(self, article) -> list[str]:
        names = [str(article.get_kind_display())]
        return names + ([article.category.name] if article.category else [])


news_feed = NewsFeed()


def budget_page(request: HttpRequest) -> HttpResponse:
    years = budget_years()
    form = YearForm(request.GET or None, years=years)
    year = None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["tahun"]
    if year is None:
        this_year = timezone.localdate().year
        year = this_year if this_year in years or not years else max(years)
    status = 200 if not form.is_bound or form.is_valid() else 400
    context = {"village": request.village, "years": years, "year": year, "form": form}
    context.update(_budget_context(budget_summary(year=year)))
    return render(request, "site/budget.html", context, status=status)


# -- staff: news and announcements ------------------------------------------------------------


def _staff_article_or_404(pk: int):
    article = news_selectors.articles_for(staff=True).filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def _article_arguments(form: ArticleForm) -> tuple[dict, dict]:
    data = form.cleaned_data
    fields = {name: data[name] for name in ("kind", "title", "summary", "body")}
    fields["category"] = data["category"] or None
    if data["slug"]:
        fields["slug"] = data["slug"]
    return fields, {"publish_at": data["publish_at"], "cover": data["cover"]}


def _wanted_status(request: HttpRequest) -> str | None:
    action = request.POST.get("action")
    if action == "publish":
        return ArticleStatus.PUBLISHED
    if action == "draft":
        return ArticleStatus.DRAFT
    return None


@village_staff_page
def staff_news(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("jenis")
    kind = kind if kind in ArticleKind.values else None
    articles = news_selectors.articles_for(staff=True, kind=kind).defer("body")
    page = page_of(request, articles, STAFF_PAGE_SIZE)
    return render(
        request,
        "site/staff_news.html",
        {"village": request.village, "page": page, "kind": kind, "kinds": ArticleKind.choices},
    )


@village_staff_page
@require_http_methods(["GET", "POST"])
def staff_news_new(request: HttpRequest) -> HttpResponse:
    categories = list(Category.objects.all())
    initial = {"kind": request.GET.get("jenis") or ArticleKind.NEWS}
    form = ArticleForm(
        request.POST or None, request.FILES or None, categories=categories, initial=initial
    )
    if request.method == "POST":
        if form.is_valid():
            fields, extra = _article_arguments(form)
            try:
                news_services.article_create(
                    data=fields,
                    author=request.user,
                    status=_wanted_status(request) or ArticleStatus.DRAFT,
                    **extra,
                )
            except BalaiError as error:
                add_balai_errors(form, error)
            else:
                messages.success(request, _t("Artikel disimpan."))
                return redirect("page-staff-news")
    return render(
        request,
        "site/staff_news_form.html",
        {"village": request.village, "form": form, "article": None},
        status=400 if request.method == "POST" else 200,
    )


@village_staff_page
@require_http_methods(["GET", "POST"])
def staff_news_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _staff_article_or_404(pk)
    categories = list(Category.objects.all())
    initial = {
        "kind": article.kind,
        "title": article.title,
        "slug": article.slug,
        "category": str(article.category_id or ""),
        "summary": article.summary,
        "body": article.body,
        "publish_at": timezone.localtime(article.publish_at) if article.publish_at else None,
    }
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        categories=categories,
        initial=initial,
        editing=True,
    )

    def save() -> None:
        fields, extra = _article_arguments(form)
        fields.setdefault("slug", article.slug)
        news_services.article_update(
            article_id=article.pk,
            changes=fields,
            status=_wanted_status(request),
            cover_remove=form.cleaned_data["cover_remove"],
            **extra,
        )

    if form_saved(request, form, save, success=_t("Artikel disimpan.")):
        return redirect("page-staff-news")
    return render(
        request,
        "site/staff_news_form.html",
        {
            "village": request.village,
            "form": form,
            "article": article,
            "cover_url": image_url(article.cover),
        },
        status=400 if request.method == "POST" else 200,
    )


@village_staff_page
@require_POST
def staff_news_publish(request: HttpRequest, pk: int) -> HttpResponse:
    news_services.article_publish(article_id=_staff_article_or_404(pk).pk)
    messages.success(request, _t("Artikel diterbitkan."))
    return redirect("page-staff-news")


@village_staff_page
@require_POST
def staff_news_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    news_services.article_unpublish(article_id=_staff_article_or_404(pk).pk)
    messages.success(request, _t("Artikel ditarik menjadi draf."))
    return redirect("page-staff-news")


@village_staff_page
@require_POST
def staff_news_delete(request: HttpRequest, pk: int) -> HttpResponse:
    news_services.article_delete(article_id=_staff_article_or_404(pk).pk)
    messages.success(request, _t("Artikel dihapus."))
    return redirect("page-staff-news")


# -- staff: profile and officials (kepala desa and sekretaris, as the API allows) -------------


@village_staff_page_for(*PROFILE_EDITORS)
@require_http_methods(["GET", "POST"])
def staff_profile(request: HttpRequest) -> HttpResponse:
    profile = VillageProfile.objects.get(id=1)
    initial = {name: getattr(profile, name) for name in village_services.PROFILE_EDITABLE_FIELDS}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda: village_services.village_profile_update(
            changes=form.changes(),
            logo=form.cleaned_data["logo"],
            logo_remove=form.cleaned_data["logo_remove"],
        ),
        success=_t("Profil disimpan."),
    )
    if saved:
        return redirect("page-staff-profile")
    return render(
        request,
        "site/staff_profile.html",
        {"village": request.village, "form": form, "logo_url": image_url(profile.logo)},
        status=400 if request.method == "POST" else 200,
    )


def _officials_page(request: HttpRequest, form: OfficialForm, *, status: int) -> HttpResponse:
    officials = [
        {"official": official, "photo_url": image_url(official.photo)}
        for official in Official.objects.all()
    ]
    return render(
        request,
        "site/staff_officials.html",
        {"village": request.village, "officials": officials, "form": form},
        status=status,
    )


def _official_data(form: OfficialForm) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "photo"}


@village_staff_page_for(*PROFILE_EDITORS)
@require_http_methods(["GET", "POST"])
def staff_officials(request: HttpRequest) -> HttpResponse:
    form = OfficialForm(request.POST or None, request.FILES or None)
    saved = form_saved(
        request,
        form,
        lambda: village_services.official_create(
            data=_official_data(form), photo=form.cleaned_data["photo"]
        ),
        success=_t("Perangkat desa ditambahkan."),
    )
    if saved:
        return redirect("page-staff-officials")
    return _officials_page(request, form, status=400 if request.method == "POST" else 200)


def _official_or_404(pk: int) -> Official:
    return get_object_or_404(Official, pk=pk)


@village_staff_page_for(*PROFILE_EDITORS)
@require_http_methods(["GET", "POST"])
def staff_official_edit(request: HttpRequest, pk: int) -> HttpResponse:
    official = _official_or_404(pk)
    initial = {
        "name": official.name,
        "position": official.position,
        "order": official.order,
        "active": official.active,
    }
    form = OfficialForm(request.POST or None, request.FILES or None, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda: village_services.official_update(
            official_id=official.pk,
            changes=_official_data(form),
            photo=form.cleaned_data["photo"],
        ),
        success=_t("Perangkat desa disimpan."),
    )
    if saved:
        return redirect("page-staff-officials")
    return render(
        request,
        "site/staff_official_form.html",
        {
            "village": request.village,
            "form": form,
            "official": official,
            "photo_url": image_url(official.photo),
        },
        status=400 if request.method == "POST" else 200,
    )


@village_staff_page_for(*PROFILE_EDITORS)
@require_POST
def staff_official_delete(request: HttpRequest, pk: int) -> HttpResponse:
    village_services.official_delete(official_id=_official_or_404(pk).pk)
    messages.success(request, _t("Perangkat desa dihapus."))
    return redirect("page-staff-officials")


# -- staff: APBDes ---------------------------------------------------------------------------


def _staff_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("tahun", ""))
    except ValueError:
        return timezone.localdate().year
    return (
        year
        if budget_services.FIRST_YEAR <= year <= budget_services.LAST_YEAR
        else (timezone.localdate().year)
    )


def _staff_budget_page(
    request: HttpRequest,
    year: int,
    *,
    line_form: BudgetLineForm | None = None,
    import_form: BudgetImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    years = sorted({*budget_years(), timezone.localdate().year, year}, reverse=True)
    context = {
        "village": request.village,
        "year": year,
        "years": years,
        "lines": BudgetLine.objects.filter(budget_year__year=year),
        "line_form": line_form or BudgetLineForm(),
        "import_form": import_form or BudgetImportForm(),
    }
    context.update(_budget_context(budget_summary(year=year)))
    return render(request, "site/staff_budget.html", context, status=status)


def _budget_redirect(year: int) -> HttpResponse:
    return redirect(f"{reverse('page-staff-budget')}?tahun={year}")


@village_staff_page
def staff_budget(request: HttpRequest) -> HttpResponse:
    return _staff_budget_page(request, _staff_year(request))


def _line_input(form: BudgetLineForm) -> budget_services.LineInput:
    data = form.cleaned_data
    return budget_services.LineInput(
        kind=data["kind"],
        sector=data["sector"],
        description=data["description"],
        budget=data["budget"],
        realised=data["realised"],
    )


@village_staff_page
@require_POST
def staff_budget_line_new(request: HttpRequest, year: int) -> HttpResponse:
    form = BudgetLineForm(request.POST)
    saved = form_saved(
        request,
        form,
        lambda: budget_services.budget_line_create(year=year, line=_line_input(form)),
        success=_t("Baris anggaran ditambahkan."),
    )
    if saved:
        return _budget_redirect(year)
    return _staff_budget_page(request, year, line_form=form, status=400)


def _line_or_404(year: int, line_id: int) -> BudgetLine:
    return get_object_or_404(BudgetLine, budget_year__year=year, pk=line_id)


@village_staff_page
@require_http_methods(["GET", "POST"])
def staff_budget_line_edit(request: HttpRequest, year: int, line_id: int) -> HttpResponse:
    line = _line_or_404(year, line_id)
    initial = {
        "kind": line.kind,
        "sector": line.sector,
        "description": line.description,
        "budget": line.budget,
        "realised": line.realised,
    }
    form = BudgetLineForm(request.POST or None, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda: budget_services.budget_line_update(
            year=year, line_id=line.pk, changes=vars(_line_input(form))
        ),
        success=_t("Baris anggaran disimpan."),
    )
    if saved:
        return _budget_redirect(year)
    return render(
        request,
        "site/staff_budget_line.html",
        {"village": request.village, "form": form, "line": line, "year": year},
        status=400 if request.method == "POST" else 200,
    )


@village_staff_page
@require_POST
def staff_budget_line_delete(request: HttpRequest, year: int, line_id: int) -> HttpResponse:
    budget_services.budget_line_delete(year=year, line_id=_line_or_404(year, line_id).pk)
    messages.success(request, _t("Baris anggaran dihapus."))
    return _budget_redirect(year)


@village_staff_page
@require_POST
def staff_budget_import(request: HttpRequest, year: int) -> HttpResponse:
    form = BudgetImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            lines, totals = workbook.workbook_read(form.cleaned_data["file"])
            result = budget_services.budget_import(year=year, lines=lines, totals=totals)
        except BalaiError as error:
            add_balai_errors(form, error)
        else:
            messages.success(
                request,
                _t("%(lines)s baris anggaran %(year)s diimpor.")
                % {"lines": result["lines"], "year": year},
            )
            return _budget_redirect(year)
    return _staff_budget_page(request, year, import_form=form, status=400)
