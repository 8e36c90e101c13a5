"""Exchanges: units of an order coming back (a return) and new items going out in their place,
with the difference settled either way (issue 11; an order change of type ``exchange``)."""
