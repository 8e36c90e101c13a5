"""The customer's form on their return link's page: no login, so the CSRF token (Flask-WTF) is
all it carries besides what the customer picks and types."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from app.returns.forms import ReturnLines

#: The longest note kept (``request_return`` keeps no more).
MAX_NOTE = 5000


class CustomerReturnForm(ReturnLines, FlaskForm):
    """Units to send back per line with a reason (``ReturnLines``), and a note if they like."""

    note = TextAreaField("Anything to add (optional)", validators=[Length(
        max=MAX_NOTE, message=f"Keep the note to {MAX_NOTE:,} characters or fewer.")])
