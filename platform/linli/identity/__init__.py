"""Who may do what, in which community: users, logins, tokens, roles, partner units."""
