"""SimPy processes of the ports and of the goods that pass them."""
