"""Sales: opportunities and the pipeline, activities and visit plans, targets and performance."""
