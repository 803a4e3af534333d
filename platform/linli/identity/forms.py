"""Browser forms (Flask-WTF): every one carries a CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ResetRequestForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=10, max=1024)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField(
        _l("Scopes"),
        choices=[
            SelectChoice("read", _l("read")),
            SelectChoice("write", _l("write")),
            SelectChoice("admin", _l("admin")),
        ],
        validators=[DataRequired()],
    )


class PlainForm(FlaskForm):  # type: ignore[misc]
    """A form with nothing but its CSRF token (logout, revoke)."""
