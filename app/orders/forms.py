"""Forms of the order pages, one per staff action."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class NoteForm(FlaskForm):
    """An internal note on an order; staff only, never sent to the customer."""

    text = TextAreaField(
        "Note",
        validators=[DataRequired(message="Write something first."), Length(max=5000)],
    )
