"""Plain-Python services over the database session; views stay thin and call these."""
