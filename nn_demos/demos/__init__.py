"""The demos; importing this package registers each of them."""

from nn_demos.demos import activations, dropout, gradients, letters, optimizers

__all__ = ["activations", "dropout", "gradients", "letters", "optimizers"]
