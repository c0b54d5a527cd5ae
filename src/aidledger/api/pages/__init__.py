"""Pages for people, server-rendered on the same app as the JSON API and calling the same
services, so every rule (roles, maker-checker, reservations, idempotency) holds on both:
a borrower's `/my`, an administrator's `/queue`, an auditor's `/audit`. Sessions are
cookies naming a server-side session in the database; every form carries a CSRF token.
"""
