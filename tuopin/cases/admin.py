"""Cases are business data: the admin site does not list them (三员分立)."""
