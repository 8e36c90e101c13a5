"""Claims: units that arrived missing, wrong or faulty, refunded or replaced at no charge
(issue 11; an order change of type ``claim``)."""
