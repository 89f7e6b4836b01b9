"""gongkai: a static-site generator for government information-disclosure notices."""

__version__ = "0.1.0"
