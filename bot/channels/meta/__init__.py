"""What the Meta platforms share: the webhook signature, the Graph sender and its error codes, and
the simulated Messenger-Platform delivery the console posts for Messenger and Instagram."""
