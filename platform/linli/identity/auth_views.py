"""Browser login under ``/auth``: local accounts, OpenID Connect, password reset.

The session cookie is for the browser only; the JSON API takes bearer tokens, which a
logged-in user creates on the account page (shown once).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.base_client.errors import OAuthError
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from joserfc.errors import JoseError
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.problems import Problem, forbidden, not_found
from linli.identity import services
from linli.identity.access import authenticate, my_tenants
from linli.identity.forms import LoginForm, NewPasswordForm, PlainForm, ResetRequestForm, TokenForm
from linli.identity.oauth_server import token_response
from linli.identity.oidc import client_for
from linli.identity.permissions import public

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")
oauth_bp = Blueprint("oauth", __name__, url_prefix="/oauth")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never an open redirect. By default the console."""
    if not target:
        return url_for("console_home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("console_home.index")
    return target


def _log_in(user_id: uuid.UUID) -> None:
    session.clear()
    session["user_id"] = str(user_id)
    session.permanent = True


def _current_user() -> Any:
    principal = authenticate(allow_session=True)
    return None if principal is None or principal.user is None else principal.user


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | BaseResponse:
    form = LoginForm()
    providers = services.list_providers(db.session(), enabled_only=True)
    if form.validate_on_submit():
        try:
            user = services.login_with_password(db.session(), form.email.data, form.password.data)
        except services.LoginFailed:
            form.password.errors = [str(_l("Wrong email or password, or the account is locked."))]
        else:
            _log_in(user.id)
            return redirect(_safe_next(request.args.get("next")))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, providers=providers), status  # type: ignore[return-value]


@bp.post("/logout")
@public
def logout() -> BaseResponse:
    if PlainForm().validate_on_submit():
        session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@public
def account() -> str | BaseResponse:
    user = _current_user()
    if user is None:
        return redirect(url_for("auth.login", next=request.path))
    form = TokenForm()
    issued = None
    session_ = db.session()
    if form.validate_on_submit():
        issued = services.create_token(session_, user, form.name.data, form.scopes.data, None)
        session_.commit()
    return render_template(
        "auth/account.html",
        user=user,
        tenants=my_tenants(authenticate(allow_session=True)),  # type: ignore[arg-type]
        tokens=services.list_tokens(session_, user),
        providers=services.list_providers(session_, enabled_only=True),
        form=form,
        plain=PlainForm(),
        issued=issued,
    )


@bp.post("/tokens/<uuid:token_id>/revoke")
@public
def revoke_token(token_id: uuid.UUID) -> BaseResponse:
    user = _current_user()
    if user is None or not PlainForm().validate_on_submit():
        raise forbidden()
    services.revoke_token(db.session(), user, token_id)
    db.session().commit()
    return redirect(url_for("auth.account"))


@bp.route("/password-reset", methods=["GET", "POST"])
@public
def password_reset_request() -> str:
    form = ResetRequestForm()
    sent = False
    if form.validate_on_submit():
        services.request_password_reset(db.session(), form.email.data)
        db.session().commit()
        sent = True
    return render_template("auth/reset_request.html", form=form, sent=sent)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
def password_reset(token: str) -> str | BaseResponse:
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.reset_password(db.session(), token, form.password.data)
        db.session().commit()
        flash(str(_l("Your password was changed. Please log in.")))
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.get("/oidc/<slug>/login")
@public
def oidc_login(slug: str) -> BaseResponse:
    provider = services.get_provider(db.session(), slug)
    if not provider.enabled:
        raise not_found()
    session["oidc_next"] = _safe_next(request.args.get("next"))
    redirect_uri = url_for("auth.oidc_callback", slug=slug, _external=True)
    response: BaseResponse = client_for(provider).authorize_redirect(redirect_uri)
    return response


@bp.get("/oidc/<slug>/callback")
@public
def oidc_callback(slug: str) -> BaseResponse:
    session_ = db.session()
    provider = services.get_provider(session_, slug)
    try:
        token = client_for(provider).authorize_access_token()
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        current_app.logger.info("oidc login refused: %s", type(exc).__name__)
        raise Problem(400, "oidc_failed", _l("The login could not be completed"), str(exc)) from exc
    claims = token.get("userinfo") or {}
    if not claims.get("sub"):
        raise Problem(400, "oidc_failed", _l("The login could not be completed"))
    user = services.user_from_oidc(session_, provider, claims, _current_user())
    session_.commit()
    target = session.get("oidc_next")
    _log_in(user.id)
    return redirect(_safe_next(target))


@oauth_bp.post("/token")
@public
def token() -> Response:
    return token_response()
