"""The order's lifecycle rules, as a pure function of its three statuses.

``pending`` is where an order starts. Staff mark it ``completed``; ``archived`` comes only after
it was completed or its payment fully refunded; ``canceled`` only while nothing was refunded and
no fulfillment is live; ``requires_action`` flags an order a person must look at (a failed
capture, say) until staff mark it resolved. The pages offer only the actions allowed now, and
the actions refuse the others with these reasons.
"""

from __future__ import annotations

COMPLETE = "complete"
ARCHIVE = "archive"
CANCEL = "cancel"
RESOLVE = "resolve"

#: What each action is called on its button.
ACTIONS = {
    COMPLETE: "Mark as completed",
    RESOLVE: "Mark as resolved",
    ARCHIVE: "Archive",
    CANCEL: "Cancel order",
}

#: The status each action leads to.
OUTCOMES = {COMPLETE: "completed", RESOLVE: "pending", ARCHIVE: "archived", CANCEL: "canceled"}

#: Fulfillment statuses that leave nothing live in a warehouse or on the road.
_NOTHING_SENT = ("not_fulfilled", "canceled")


def transition_problem(
    action: str, status: str, payment_status: str, fulfillment_status: str
) -> str | None:
    """Why ``action`` cannot be taken on an order with these statuses, or ``None``."""
    if action not in ACTIONS:
        return f"There is no order action called {action!r}."
    if status == "draft":
        return "A draft is not an order yet."
    if status in ("canceled", "archived"):
        return f"This order is {status}; it can no longer change."
    if action == COMPLETE:
        if status != "pending":
            return {
                "completed": "This order is already completed.",
                "requires_action": "This order needs attention first; resolve it, then "
                "complete it.",
            }[status]
        return None
    if action == RESOLVE:
        return None if status == "requires_action" else "This order does not need attention."
    if action == ARCHIVE:
        if status == "completed" or payment_status == "refunded":
            return None
        return "Only a completed or fully refunded order can be archived."
    if payment_status in ("refunded", "partially_refunded"):
        return "Money was refunded on this order, so it cannot be canceled."
    if fulfillment_status not in _NOTHING_SENT:
        return "Cancel its fulfillments first: items have been fulfilled or sent."
    if status == "completed":
        return "A completed order cannot be canceled."
    return None


def allowed_actions(status: str, payment_status: str, fulfillment_status: str) -> list[str]:
    """The actions staff may take now, in the order the page shows them."""
    return [
        action for action in ACTIONS
        if transition_problem(action, status, payment_status, fulfillment_status) is None
    ]  # fmt: skip
