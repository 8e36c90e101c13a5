"""Returns: units coming back from the customer, and what they refund (issue 11; returns are
order changes of their own type on the order-change engine, ``app.changes``)."""
