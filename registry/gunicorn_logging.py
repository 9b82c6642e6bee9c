"""gunicorn's own logs (the access log above all: its request line and referrer
carry query strings) masked like every other log: ``--logger-class
registry.gunicorn_logging.MaskingLogger`` (the Procfile uses it)."""

from gunicorn.glogging import Logger

from .log_filters import MaskIdentifiersFilter


class MaskingLogger(Logger):
    """gunicorn's logger with the ID-number mask on each of its handlers."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskIdentifiersFilter) for f in handler.filters):
                    handler.addFilter(MaskIdentifiersFilter())
