"""Channel admins: rights, settings, scheduling, the queue, results; the scheduler's edge."""
