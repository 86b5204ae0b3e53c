"""The signed-in user's home page: figures for their role and scope."""
