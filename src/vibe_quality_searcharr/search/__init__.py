"""Search: queues, the planner, the executor, history and feedback."""
