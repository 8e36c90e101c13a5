"""The customer's answers on the emailed link's page: no login, so the CSRF token (Flask-WTF)
is all a form carries besides what the customer types."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

#: The longest reason kept (``decline_change`` keeps no more).
MAX_REASON = 2000


class ConfirmForm(FlaskForm):
    """Confirm the proposed change."""


class DeclineForm(FlaskForm):
    """Decline the proposed change, saying why if the customer likes."""

    reason = TextAreaField("Why (optional)", validators=[Length(
        max=MAX_REASON, message=f"Keep the reason to {MAX_REASON:,} characters or fewer.")])
