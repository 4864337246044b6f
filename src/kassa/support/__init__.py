"""Customer feedback and comments (PA-03): threads between a customer and the bank."""
