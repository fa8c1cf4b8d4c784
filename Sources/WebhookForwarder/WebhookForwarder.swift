// WebhookForwarder: work in progress (see the issue that builds it).
