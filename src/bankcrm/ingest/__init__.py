"""Files from core banking: validate every row, load the good ones idempotently, reject the rest with reasons."""
