"""Households: individuals grouped from family links (editable), with their figures and products rolled up."""
