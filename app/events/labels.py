"""Timeline wording: event names as staff read them."""

_LABELS = {
    "note": "Note",
    "order.placed": "Order placed",
    "order.updated": "Order updated",
    "order.canceled": "Order canceled",
    "order.completed": "Order completed",
    "order.archived": "Order archived",
    "order.payment_captured": "Payment captured",
    "order.refund_created": "Refund created",
    "order.fulfillment_created": "Fulfillment created",
    "order.fulfillment_canceled": "Fulfillment canceled",
    "order.shipment_created": "Shipment created",
    "order.fulfillment_delivered": "Delivered",
    "order.requires_action": "Needs attention",
    "order.pending": "Resolved",
    "order.return_requested": "Return requested",
    "order.return_received": "Return received",
    "order.exchange_created": "Exchange created",
    "order.claim_created": "Claim created",
    "order.claim_reinstated": "Written-off units reinstated",
    "order.return_canceled": "Return canceled",
    "order-edit.created": "Edit started",
    "order-edit.requested": "Edit requested",
    "order-edit.confirmed": "Edit confirmed",
    "order-edit.declined": "Edit declined",
    "order-edit.canceled": "Edit canceled",
    "draft-order.created": "Draft created",
    "draft-order.updated": "Draft updated",
    "draft-order.payment_registered": "Payment registered",
    "draft-order.canceled": "Draft canceled",
    "draft-order.converted": "Draft converted to an order",
    "draft-order.payment_voided": "Payment voided",
}


def event_label(event_type: str) -> str:
    """``order.refund_created`` → ``Refund created``; unknown names are tidied, not hidden."""
    if event_type in _LABELS:
        return _LABELS[event_type]
    return event_type.replace(".", " ").replace("_", " ").replace("-", " ").capitalize()
