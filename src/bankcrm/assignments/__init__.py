"""Account managers of customers: primary and co-managers with shares, transfers with approval, portfolios."""
