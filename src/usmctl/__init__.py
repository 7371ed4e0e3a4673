"""usmctl: validate service-management architectures against the USM method."""

__version__ = "0.1.0"
