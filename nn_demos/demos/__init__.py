"""The demos; importing this package registers each of them."""
