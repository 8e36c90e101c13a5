"""Settings pages: products and variants, promotions, tax rates, shipping options,
inventory and return reasons."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from app.catalog.actions import (
    save_product,
    save_promotion,
    save_shipping_option,
    save_tax_rate,
    save_variant,
)
from app.catalog.models import Product, ProductVariant, Promotion, ShippingOption
from app.db_types import utcnow
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.actions import adjust_stock
from app.inventory.models import InventoryAdjustment, InventoryLevel
from app.money import to_string
from app.orders.actions import OrderActionError
from app.returns import actions as reason_actions
from app.returns.models import ReturnReason
from app.settings.forms import (
    ChannelLocationsForm,
    ProductForm,
    PromotionForm,
    ReturnReasonForm,
    ShippingOptionForm,
    StockAdjustmentForm,
    TaxRateForm,
    VariantForm,
)
from app.store.models import Region, SalesChannel, TaxRate
from app.transactions import end_refused

bp = Blueprint("settings", __name__, url_prefix="/settings")

PRODUCTS_PAGE_SIZE = 25


@bp.before_request
@login_required
def require_staff() -> None:
    """Every settings page is for logged-in staff only."""


def _or_404(model, object_id: int):
    row = db.session.get(model, object_id)
    if row is None:
        abort(404)
    return row


def _regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.name)))


@bp.get("/")
def index():
    """The settings sections."""
    return render_template("settings/index.html")


# Products and variants


def _like_prefix(text: str) -> str:
    # Staff type plain words; % and _ are literal characters to them.
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


@bp.get("/products")
def list_products():
    """Products with their thumbnails, searched by the start of a title or a SKU, paged."""
    # No title is longer (nor a SKU or barcode), and SQLite refuses LIKE patterns past 50,000.
    q = request.args.get("q", "").strip()[:200]
    page = max(request.args.get("page", 1, type=int), 1)
    query = select(Product)
    if q:
        prefix = _like_prefix(q)
        matching_variant = select(ProductVariant.product_id).where(
            or_(
                func.lower(ProductVariant.sku).like(prefix, escape="\\"),
                func.lower(ProductVariant.title).like(prefix, escape="\\"),
                ProductVariant.barcode.like(prefix, escape="\\"),
            )
        )
        query = query.where(
            or_(func.lower(Product.title).like(prefix, escape="\\"),
                Product.id.in_(matching_variant))
        )  # fmt: skip
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max((total + PRODUCTS_PAGE_SIZE - 1) // PRODUCTS_PAGE_SIZE, 1)
    # A page past the end shows the last one; its OFFSET then fits a database integer too.
    page = min(page, pages)
    products = db.session.scalars(
        query.options(selectinload(Product.variants).selectinload(ProductVariant.prices))
        .order_by(Product.title, Product.id)
        .limit(PRODUCTS_PAGE_SIZE)
        .offset((page - 1) * PRODUCTS_PAGE_SIZE)
    ).all()  # fmt: skip
    return render_template(
        "settings/products.html", products=products, q=q, page=page, pages=pages, total=total
    )


@bp.route("/products/new", methods=["GET", "POST"])
def create_product():
    """Create a product; its variants are added on its page next."""
    form = ProductForm()
    if form.validate_on_submit():
        product = save_product(None, **_product_values(form))
        db.session.commit()
        flash(f"Product {product.title} created. Now add its variants and prices.", "success")
        return redirect(url_for("settings.edit_product", product_id=product.id))
    return _form_page("settings/product_form.html", form, product=None)


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
def edit_product(product_id: int):
    """Change a product; its variants and their prices are listed below."""
    product = _or_404(Product, product_id)
    form = ProductForm(obj=product)
    if form.validate_on_submit():
        save_product(product, **_product_values(form))
        db.session.commit()
        flash(f"Product {product.title} saved.", "success")
        return redirect(url_for("settings.edit_product", product_id=product.id))
    return _form_page("settings/product_form.html", form, product=product)


def _product_values(form: ProductForm) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data or "",
        "product_type": form.product_type.data or "",
        "thumbnail": form.thumbnail.data or "",
    }


def _price_rows(form: VariantForm, variant: ProductVariant | None) -> None:
    """A row per store currency and per currency the variant is priced in, plus a blank one
    for another currency."""
    prices = {p.currency_code: p.amount for p in variant.prices} if variant else {}
    currencies = sorted({r.currency_code for r in _regions()} | set(prices))
    for currency in currencies:
        amount = prices.get(currency)
        form.prices.append_entry(
            {"currency_code": currency,
             "amount": None if amount is None else to_string(amount, currency)}
        )  # fmt: skip
    form.prices.append_entry({"currency_code": "", "amount": None})


@bp.route("/products/<int:product_id>/variants/new", methods=["GET", "POST"])
def create_variant(product_id: int):
    """Add a variant with its prices to a product."""
    product = _or_404(Product, product_id)
    form = VariantForm()
    if not form.is_submitted():
        _price_rows(form, None)
    if form.validate_on_submit():
        variant = save_variant(product, None, **_variant_values(form))
        db.session.commit()
        flash(f"Variant {variant.full_title} added.", "success")
        return redirect(url_for("settings.edit_product", product_id=product.id))
    return _form_page("settings/variant_form.html", form, product=product, variant=None)


@bp.route("/products/<int:product_id>/variants/<int:variant_id>", methods=["GET", "POST"])
def edit_variant(product_id: int, variant_id: int):
    """Change a variant and its prices."""
    product = _or_404(Product, product_id)
    variant = _or_404(ProductVariant, variant_id)
    if variant.product_id != product.id:
        abort(404)
    # Not ``obj=variant``: its price rows are laid out by ``_price_rows``.
    form = VariantForm(
        variant_id=variant.id,
        title=variant.title,
        sku=variant.sku or "",
        barcode=variant.barcode or "",
        allow_backorder=variant.allow_backorder,
    )
    if not form.is_submitted():
        _price_rows(form, variant)
    if form.validate_on_submit():
        save_variant(product, variant, **_variant_values(form))
        db.session.commit()
        flash(f"Variant {variant.full_title} saved.", "success")
        return redirect(url_for("settings.edit_product", product_id=product.id))
    return _form_page("settings/variant_form.html", form, product=product, variant=variant)


def _variant_values(form: VariantForm) -> dict:
    return {
        "title": form.title.data or "",
        "sku": form.sku.data,
        "barcode": form.barcode.data,
        "allow_backorder": form.allow_backorder.data,
        "prices": form.price_map(),
    }


def _form_page(template: str, form, **context):
    """The form page; 422 when a submitted form was refused, so nothing looks saved."""
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(template, form=form, **context), status


# Promotions


@bp.get("/promotions")
def list_promotions():
    """Every promotion code with its rules and how often it was used."""
    promotions = db.session.scalars(select(Promotion).order_by(Promotion.code)).all()
    return render_template("settings/promotions.html", promotions=promotions)


@bp.route("/promotions/new", methods=["GET", "POST"])
def create_promotion():
    """Create a promotion code."""
    form = PromotionForm()
    if not form.is_submitted():
        form.starts_at.data = utcnow().replace(tzinfo=None, second=0, microsecond=0)
    if form.validate_on_submit():
        promotion = save_promotion(None, form.values())
        db.session.commit()
        flash(f"Promotion {promotion.code} created.", "success")
        return redirect(url_for("settings.list_promotions"))
    return _form_page("settings/promotion_form.html", form, promotion=None)


@bp.route("/promotions/<int:promotion_id>", methods=["GET", "POST"])
def edit_promotion(promotion_id: int):
    """Change a promotion's rules."""
    promotion = _or_404(Promotion, promotion_id)
    form = PromotionForm(promotion_id=promotion.id, obj=promotion)
    if not form.is_submitted():
        form.type.data = promotion.type.value
        form.target.data = promotion.target.value
        form.currency_code.data = promotion.currency_code or ""
        form.starts_at.data = promotion.starts_at.replace(tzinfo=None)
        form.ends_at.data = promotion.ends_at and promotion.ends_at.replace(tzinfo=None)
    if form.validate_on_submit():
        save_promotion(promotion, form.values())
        db.session.commit()
        flash(f"Promotion {promotion.code} saved.", "success")
        return redirect(url_for("settings.list_promotions"))
    return _form_page("settings/promotion_form.html", form, promotion=promotion)


# Tax rates


@bp.get("/tax-rates")
def list_tax_rates():
    """Each region's tax rates: the default, others, and overrides per product type."""
    regions = db.session.scalars(
        select(Region).options(selectinload(Region.tax_rates)).order_by(Region.name)
    ).all()
    return render_template("settings/tax_rates.html", regions=regions)


def _region_choices(form) -> None:
    form.region_id.choices = [
        SelectChoice(r.id, f"{r.name} ({r.currency_code})") for r in _regions()
    ]


@bp.route("/tax-rates/new", methods=["GET", "POST"])
def create_tax_rate():
    """Add a tax rate, or an override for a product type, to a region."""
    form = TaxRateForm()
    _region_choices(form)
    if not form.is_submitted() and request.args.get("region", type=int):
        form.region_id.data = request.args.get("region", type=int)
    if form.validate_on_submit():
        rate = save_tax_rate(None, **_tax_rate_values(form))
        db.session.commit()
        flash(f"Tax rate {rate.code} added to {rate.region.name}.", "success")
        return redirect(url_for("settings.list_tax_rates"))
    return _form_page("settings/tax_rate_form.html", form, rate=None)


@bp.route("/tax-rates/<int:rate_id>", methods=["GET", "POST"])
def edit_tax_rate(rate_id: int):
    """Change a tax rate."""
    rate = _or_404(TaxRate, rate_id)
    form = TaxRateForm(obj=rate)
    _region_choices(form)
    if not form.is_submitted():
        form.product_type.data = rate.product_type or ""
    if form.validate_on_submit():
        save_tax_rate(rate, **_tax_rate_values(form))
        db.session.commit()
        flash(f"Tax rate {rate.code} of {rate.region.name} saved.", "success")
        return redirect(url_for("settings.list_tax_rates"))
    return _form_page("settings/tax_rate_form.html", form, rate=rate)


def _tax_rate_values(form: TaxRateForm) -> dict:
    return {
        "region": db.session.get(Region, form.region_id.data),
        "code": form.code.data,
        "name": form.name.data,
        "rate_percent": form.rate.data,
        "is_default": form.is_default.data,
        "product_type": form.product_type.data,
    }


# Shipping options


@bp.get("/shipping-options")
def list_shipping_options():
    """Each region's shipping options and their prices."""
    options = db.session.scalars(
        select(ShippingOption).join(ShippingOption.region)
        .options(selectinload(ShippingOption.region))
        .order_by(Region.name, ShippingOption.amount, ShippingOption.name)
    ).all()  # fmt: skip
    return render_template("settings/shipping_options.html", options=options, regions=_regions())


def _shipping_form(**kwargs) -> ShippingOptionForm:
    regions = _regions()
    form = ShippingOptionForm(currencies={r.id: r.currency_code for r in regions}, **kwargs)
    _region_choices(form)
    return form


@bp.route("/shipping-options/new", methods=["GET", "POST"])
def create_shipping_option():
    """Add a shipping option to a region."""
    form = _shipping_form()
    if not form.is_submitted() and request.args.get("region", type=int):
        form.region_id.data = request.args.get("region", type=int)
    if form.validate_on_submit():
        option = save_shipping_option(None, **_shipping_values(form))
        db.session.commit()
        flash(f"Shipping option {option.name} added to {option.region.name}.", "success")
        return redirect(url_for("settings.list_shipping_options"))
    return _form_page("settings/shipping_option_form.html", form, option=None)


@bp.route("/shipping-options/<int:option_id>", methods=["GET", "POST"])
def edit_shipping_option(option_id: int):
    """Change a shipping option."""
    option = _or_404(ShippingOption, option_id)
    form = _shipping_form(obj=option)
    if not form.is_submitted():
        form.amount.data = to_string(option.amount, option.region.currency_code)
    if form.validate_on_submit():
        save_shipping_option(option, **_shipping_values(form))
        db.session.commit()
        flash(f"Shipping option {option.name} of {option.region.name} saved.", "success")
        return redirect(url_for("settings.list_shipping_options"))
    return _form_page("settings/shipping_option_form.html", form, option=option)


def _shipping_values(form: ShippingOptionForm) -> dict:
    return {
        "region": db.session.get(Region, form.region_id.data),
        "name": form.name.data,
        "amount": form.amount.data,
        "is_active": form.is_active.data,
    }


# Inventory

INVENTORY_PAGE_SIZE = 100


@bp.get("/inventory")
def inventory():
    """Stock per SKU and location (stocked, held by orders, available), the latest changes,
    and the form to adjust it."""
    return _inventory_page(_stock_form())


def _stock_form(formdata=None) -> StockAdjustmentForm:
    form = StockAdjustmentForm(formdata=formdata)
    form.location.choices = [SelectChoice(loc.id, loc.name) for loc in StockLocation.by_name()]
    return form


def _inventory_page(form: StockAdjustmentForm, status: int = 200, message: str = ""):
    sku = request.args.get("sku", "").strip()[:100]
    stmt = select(InventoryLevel).join(InventoryLevel.location).order_by(
        InventoryLevel.sku, StockLocation.name).limit(INVENTORY_PAGE_SIZE)  # fmt: skip
    if sku:
        stmt = stmt.where(InventoryLevel.sku.startswith(sku, autoescape=True))
    history = db.session.scalars(select(InventoryAdjustment).order_by(
        InventoryAdjustment.id.desc()).limit(20))  # fmt: skip
    channels = db.session.scalars(select(SalesChannel).order_by(SalesChannel.name))
    return render_template("settings/inventory.html", levels=list(db.session.scalars(stmt)),
                           history=list(history), form=form, sku=sku, message=message,
                           page_size=INVENTORY_PAGE_SIZE, channels=list(channels),
                           locations=StockLocation.by_name()), status  # fmt: skip


@bp.post("/inventory")
def adjust_inventory():
    """Receive, count or write off stock; one transaction, kept in the history."""
    form = _stock_form(request.form)
    if not form.validate_on_submit():
        return _inventory_page(form, 422, "Please check the highlighted fields.")
    location = _or_404(StockLocation, form.location.data)
    try:
        adjust_stock(form.sku.data, location, form.change.data, form.reason.data,
                     current_user.email)  # fmt: skip
    except OrderActionError as error:
        return _inventory_page(form, end_refused(error), str(error))
    db.session.commit()
    flash(f"Stock of {form.sku.data.strip()} at {location.name} changed by "
          f"{form.change.data:+d}.", "success")  # fmt: skip
    return redirect(url_for("settings.inventory", sku=form.sku.data.strip()))


@bp.post("/sales-channels/<int:channel_id>/locations")
def set_channel_locations(channel_id: int):
    """Choose the locations a sales channel's orders draw stock from (none: all of them)."""
    channel = _or_404(SalesChannel, channel_id)
    locations = list(db.session.scalars(select(StockLocation)))
    form = ChannelLocationsForm()
    form.location.choices = [SelectChoice(location.id, location.name) for location in locations]
    if not form.validate_on_submit():
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        return _inventory_page(_stock_form(), 422, problems)
    chosen = set(form.location.data)
    for location in locations:
        if (location.id in chosen) != (channel in location.sales_channels):
            if location.id in chosen:
                location.sales_channels.append(channel)
            else:
                location.sales_channels.remove(channel)
    db.session.commit()
    flash(f"{channel.name} draws stock from the chosen locations.", "success")
    return redirect(url_for("settings.inventory") + "#channels")


# Return reasons


def _return_reasons_page(form: ReturnReasonForm, status: int = 200, message: str = ""):
    """The reasons, each top-level one with its children under it, and the form to add one."""
    top_level = db.session.scalars(
        select(ReturnReason).where(ReturnReason.parent_id.is_(None))
        .options(selectinload(ReturnReason.children)).order_by(ReturnReason.label)
    ).all()  # fmt: skip
    return render_template("settings/return_reasons.html", reasons=top_level, form=form,
                           message=message), status  # fmt: skip


def _reason_form(reason: ReturnReason | None = None, **kwargs) -> ReturnReasonForm:
    """The reason's form; a parent is chosen from the active top-level reasons (and the one
    it has, even retired, so that saving other changes keeps it)."""
    form = ReturnReasonForm(**kwargs)
    parents = db.session.scalars(
        select(ReturnReason).where(ReturnReason.parent_id.is_(None), ReturnReason.is_active)
        .order_by(ReturnReason.label)
    ).all()  # fmt: skip
    if reason is not None:
        parents = [p for p in parents if p.id != reason.id]
        if reason.parent is not None and reason.parent not in parents:
            parents.append(reason.parent)
    form.parent_id.choices = [SelectChoice("", "None: a top-level reason"),
                              *(SelectChoice(p.id, p.label) for p in parents)]  # fmt: skip
    return form


def _refused(form: ReturnReasonForm, error: reason_actions.ReturnReasonError) -> str:
    """Undo what the refused action began and put its message beside its field; what the
    top of the page says."""
    db.session.rollback()
    if error.field is None:
        return str(error)
    form[error.field].errors.append(str(error))
    return "Please check the highlighted fields."


@bp.get("/return-reasons")
def list_return_reasons():
    """Every return reason, active and retired, children under their parent; and the form
    to add one."""
    return _return_reasons_page(_reason_form())


@bp.post("/return-reasons")
def create_return_reason():
    """Add a return reason, top-level or the child of one."""
    form = _reason_form()
    if not form.validate_on_submit():
        return _return_reasons_page(form, 422, "Please check the highlighted fields.")
    try:
        reason = reason_actions.save_return_reason(None, form.values())
    except reason_actions.ReturnReasonError as error:
        return _return_reasons_page(form, 422, _refused(form, error))
    db.session.commit()
    flash(f"Return reason “{reason.label}” added.", "success")
    return redirect(url_for("settings.list_return_reasons"))


@bp.route("/return-reasons/<int:reason_id>", methods=["GET", "POST"])
def edit_return_reason(reason_id: int):
    """Change a return reason's code, label, description or parent."""
    reason = _or_404(ReturnReason, reason_id)
    form = _reason_form(reason, obj=reason)
    if form.validate_on_submit():
        try:
            reason_actions.save_return_reason(reason, form.values())
        except reason_actions.ReturnReasonError as error:
            message = _refused(form, error)
            return render_template("settings/return_reason_form.html", form=form,
                                   reason=reason, message=message), 422  # fmt: skip
        db.session.commit()
        flash(f"Return reason “{reason.label}” saved.", "success")
        return redirect(url_for("settings.list_return_reasons"))
    return _form_page("settings/return_reason_form.html", form, reason=reason)


@bp.post("/return-reasons/<int:reason_id>/retire")
def retire_return_reason(reason_id: int):
    """Stop offering a return reason; returns that used it keep it."""
    return _set_reason_active(reason_id, reason_actions.retire_return_reason, "retired")


@bp.post("/return-reasons/<int:reason_id>/reactivate")
def reactivate_return_reason(reason_id: int):
    """Offer a retired return reason again."""
    return _set_reason_active(reason_id, reason_actions.reactivate_return_reason, "offered again")


def _set_reason_active(reason_id: int, action, done: str):
    reason = _or_404(ReturnReason, reason_id)
    try:
        action(reason)
    except reason_actions.ReturnReasonError as error:
        db.session.rollback()
        return _return_reasons_page(_reason_form(), 422, str(error))
    db.session.commit()
    flash(f"Return reason “{reason.label}” {done}.", "success")
    return redirect(url_for("settings.list_return_reasons"))
