"""Search queues: the unit a user configures (instance, strategy, order, batch, filters)."""
