"""usmctl: validate service-management architectures against the USM method."""

__version__ = "0.2.0"
